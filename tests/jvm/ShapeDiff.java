import io.sparkseal.log4j.OperationalMessages;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Test harness (run as a source file): each stdin line "LOGGER<TAB>MESSAGE" (newlines as
 * \n) -> "AS_THE_LAYOUT_FINDS<TAB>BY_REGEX_ALONE" ({@code OperationalMessages.describeMatch});
 * with the argument "templates", each stdin line LOGGER -> "SCANNED<TAB>TEMPLATE" lines
 * (newlines as \n) then an empty line.
 */
public final class ShapeDiff {
  public static void main(String[] args) throws Exception {
    var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    var out = new StringBuilder();
    boolean templates = args.length > 0 && args[0].equals("templates");
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      if (templates) {
        String flags = OperationalMessages.scanned(line);
        var list = OperationalMessages.templates(line);
        for (int i = 0; i < list.size(); i++) {
          out.append(flags.charAt(i)).append('\t').append(list.get(i).replace("\n", "\\n"))
              .append('\n');
        }
        out.append('\n');
        continue;
      }
      String[] parts = line.split("\t", 2);
      String message = parts[1].replace("\\n", "\n");
      out.append(OperationalMessages.describeMatch(parts[0], message, false)).append('\t')
          .append(OperationalMessages.describeMatch(parts[0], message, true)).append('\n');
    }
    System.out.print(out);
  }
}
