package io.sparkseal.log4j;

import java.util.List;

/**
 * A shape's template matched without a regex, for the templates where that gives the regex's
 * answer by construction. Why: {@code Matcher.matches()} costs about a microsecond on a
 * scheduler line, ten times what log4j2's whole pattern layout costs; a scan costs a tenth.
 *
 * <p>Exact only where the regex cannot backtrack: every slot is {@code {n}}, {@code {host}},
 * {@code {id}} or {@code {class}} (ASCII classes, like the regex's {@code \d} and
 * {@code [A-Za-z0-9]}), and is followed either by the end of the template or by text whose
 * first character could not extend the slot. A slot then ends where its longest match ends --
 * any shorter match would be followed by a character the template's next text does not
 * start with -- so one greedy scan decides. Every other template ({@code {size}},
 * {@code {hostport}}, {@code {users}}, {@code {sealed}}, {@code {reason}}, two adjacent
 * slots, a slot followed by a character it may contain) returns {@code null} from
 * {@link #forTemplate} and keeps the regex. Messages with the streaming prefix keep it too.
 * A differential test checks both on generated and mutated messages of every shape.
 */
final class ShapeScanner {
  private static final byte N = 0;
  private static final byte HOST = 1;
  private static final byte ID = 2;
  private static final byte CLASS = 3;

  /** literals[i] precedes slot i; literals[slots] follows the last one. */
  private final String[] literals;
  private final byte[] kinds;

  private ShapeScanner(String[] literals, byte[] kinds) {
    this.literals = literals;
    this.kinds = kinds;
  }

  /** The scanner of a template split into {@code literals} around {@code slots}, or null. */
  static ShapeScanner forTemplate(List<String> literals, List<String> slots) {
    byte[] kinds = new byte[slots.size()];
    for (int i = 0; i < kinds.length; i++) {
      switch (slots.get(i)) {
        case "n" -> kinds[i] = N;
        case "host" -> kinds[i] = HOST;
        case "id" -> kinds[i] = ID;
        case "class" -> kinds[i] = CLASS;
        default -> {
          return null;
        }
      }
      String next = literals.get(i + 1);
      boolean last = i == kinds.length - 1;
      if (next.isEmpty() ? !last : continues(kinds[i], next.charAt(0))) {
        return null;
      }
    }
    return new ShapeScanner(literals.toArray(new String[0]), kinds);
  }

  /** Start and end of each slot if {@code message} matches the whole template, else null. */
  int[] match(String message) {
    int pos = 0;
    int[] spans = new int[2 * kinds.length];
    for (int i = 0; i <= kinds.length; i++) {
      String lit = literals[i];
      if (!message.startsWith(lit, pos)) {
        return null;
      }
      pos += lit.length();
      if (i == kinds.length) {
        break;
      }
      int end = scan(kinds[i], message, pos);
      if (end < 0) {
        return null;
      }
      spans[2 * i] = pos;
      spans[2 * i + 1] = end;
      pos = end;
    }
    return pos == message.length() ? spans : null;
  }

  /** End of the longest match of slot {@code kind} at {@code pos}, or -1 if none. */
  private static int scan(byte kind, String s, int pos) {
    int len = s.length();
    if (kind == N) {
      int p = pos;
      if (p < len && s.charAt(p) == '-') {
        p++;
      }
      int digits = digits(s, p);
      if (digits == p) {
        return -1;
      }
      p = digits;
      while (p + 1 < len && s.charAt(p) == '.' && digit(s.charAt(p + 1))) {
        p = digits(s, p + 1);
      }
      return p;
    }
    if (pos >= len || !first(kind, s.charAt(pos))) {
      return -1;
    }
    int p = pos + 1;
    while (p < len && continues(kind, s.charAt(p))) {
      p++;
    }
    return p;
  }

  private static int digits(String s, int p) {
    while (p < s.length() && digit(s.charAt(p))) {
      p++;
    }
    return p;
  }

  private static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean alnum(char c) {
    return digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  }

  /** May {@code c} start slot {@code kind} (the regex's first character class)? */
  private static boolean first(byte kind, char c) {
    return kind == CLASS ? (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '$'
        : alnum(c);
  }

  /** May {@code c} extend a match of slot {@code kind}? */
  private static boolean continues(byte kind, char c) {
    return switch (kind) {
      case N -> digit(c) || c == '.';
      case HOST -> alnum(c) || c == '.' || c == '-';
      case ID -> alnum(c) || c == '_' || c == '.' || c == '+' || c == '-';
      default -> alnum(c) || c == '_' || c == '$' || c == '.';
    };
  }
}
