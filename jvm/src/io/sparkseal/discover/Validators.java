package io.sparkseal.discover;

import java.util.Map;

/**
 * The checks that turn a pattern match into a finding. They mirror
 * {@code sparkseal.scan.validators} (Python), which the tests hold them to value by value.
 */
final class Validators {
  private Validators() {}

  private static final String[] MAESTRO = {
    "0604", "5018", "5020", "5038", "6304", "6390", "6759", "6761", "6762", "6763"
  };

  // IBAN lengths by country (ISO 13616 registry), as in sparkseal/scan/validators.py.
  private static final Map<String, Integer> IBAN_LENGTHS = Map.ofEntries(
      Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20),
      Map.entry("AZ", 28), Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22),
      Map.entry("BH", 22), Map.entry("BR", 29), Map.entry("BY", 28), Map.entry("CH", 21),
      Map.entry("CR", 22), Map.entry("CY", 28), Map.entry("CZ", 24), Map.entry("DE", 22),
      Map.entry("DK", 18), Map.entry("DO", 28), Map.entry("EE", 20), Map.entry("EG", 29),
      Map.entry("ES", 24), Map.entry("FI", 18), Map.entry("FO", 18), Map.entry("FR", 27),
      Map.entry("GB", 22), Map.entry("GE", 22), Map.entry("GI", 23), Map.entry("GL", 18),
      Map.entry("GR", 27), Map.entry("GT", 28), Map.entry("HR", 21), Map.entry("HU", 28),
      Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IQ", 23), Map.entry("IS", 26),
      Map.entry("IT", 27), Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20),
      Map.entry("LB", 28), Map.entry("LC", 32), Map.entry("LI", 21), Map.entry("LT", 20),
      Map.entry("LU", 20), Map.entry("LV", 21), Map.entry("MC", 27), Map.entry("MD", 24),
      Map.entry("ME", 22), Map.entry("MK", 19), Map.entry("MR", 27), Map.entry("MT", 31),
      Map.entry("MU", 30), Map.entry("NL", 18), Map.entry("NO", 15), Map.entry("PK", 24),
      Map.entry("PL", 28), Map.entry("PS", 29), Map.entry("PT", 25), Map.entry("QA", 29),
      Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("SA", 24), Map.entry("SC", 31),
      Map.entry("SE", 24), Map.entry("SI", 19), Map.entry("SK", 24), Map.entry("SM", 27),
      Map.entry("ST", 25), Map.entry("SV", 28), Map.entry("TL", 23), Map.entry("TN", 24),
      Map.entry("TR", 26), Map.entry("UA", 29), Map.entry("VA", 22), Map.entry("VG", 24),
      Map.entry("XK", 20));

  /** The named check, or true for entities whose pattern is the whole rule. */
  static boolean valid(String entity, String candidate) {
    switch (entity) {
      case "card":
        return card(candidate);
      case "ssn":
        return ssn(candidate);
      case "iban":
        return iban(candidate);
      case "phone":
        return phone(candidate);
      default:
        return true;
    }
  }

  static String digits(CharSequence s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= '0' && c <= '9') {
        b.append(c);
      }
    }
    return b.toString();
  }

  static boolean luhn(String d) {
    int total = 0;
    for (int i = 0; i < d.length(); i++) {
      int x = d.charAt(d.length() - 1 - i) - '0';
      if (i % 2 == 1) {
        x = x > 4 ? x * 2 - 9 : x * 2;
      }
      total += x;
    }
    return total % 10 == 0;
  }

  private static boolean between(String s, String low, String high) {
    return s.compareTo(low) >= 0 && s.compareTo(high) <= 0;
  }

  private static String prefix(String d, int n) {
    return d.substring(0, Math.min(n, d.length()));
  }

  static boolean card(String value) {
    String d = digits(value);
    int n = d.length();
    if (n < 12 || n > 19 || !luhn(d)) {
      return false;
    }
    String p2 = prefix(d, 2);
    String p3 = prefix(d, 3);
    String p4 = prefix(d, 4);
    for (String m : MAESTRO) {
      if (p4.equals(m)) {
        return true;
      }
    }
    if (between(p2, "56", "58")) {
      return true;
    }
    if (p4.equals("2131") || p4.equals("1800")) {
      return n == 15;
    }
    if (n < 13) {
      return false;
    }
    if (d.charAt(0) == '4') {
      return n == 13 || n == 16 || n == 19;
    }
    if (p2.equals("34") || p2.equals("37")) {
      return n == 15;
    }
    if (between(p2, "51", "55") || between(p4, "2221", "2720")) {
      return n == 16;
    }
    if (p4.equals("6011") || p2.equals("65") || between(p3, "644", "649")) {
      return n >= 16;
    }
    if (p2.equals("35")) {
      return n >= 16;
    }
    return p2.equals("36") || p2.equals("38") || between(p3, "300", "305");
  }

  static boolean ssn(String value) {
    String d = digits(value);
    if (d.length() != 9) {
      return false;
    }
    String area = d.substring(0, 3);
    return !area.equals("000") && !area.equals("666") && area.compareTo("900") < 0
        && !d.substring(3, 5).equals("00") && !d.substring(5).equals("0000");
  }

  static boolean iban(String value) {
    String s = value.replace(" ", "").toUpperCase(java.util.Locale.ROOT);
    if (s.length() < 4 || !Integer.valueOf(s.length()).equals(IBAN_LENGTHS.get(s.substring(0, 2)))) {
      return false;
    }
    String r = s.substring(4) + s.substring(0, 4);
    int mod = 0;
    for (int i = 0; i < r.length(); i++) {
      char c = r.charAt(i);
      if (c >= '0' && c <= '9') {
        mod = (mod * 10 + (c - '0')) % 97;
      } else if (c >= 'A' && c <= 'Z') {
        mod = (mod * 100 + (c - 'A' + 10)) % 97;
      } else {
        return false;
      }
    }
    return mod == 1;
  }

  /** NANP numbers (area and exchange start 2-9) or international E.164 lengths. */
  static boolean phone(String value) {
    String main = value.replaceFirst("(?i)\\s*(?:x|ext\\.?)\\s*[0-9]+$", "");
    String d = digits(main);
    if (main.startsWith("+") && !main.startsWith("+1")) {
      return d.length() >= 8 && d.length() <= 15;
    }
    if (main.startsWith("001")) {
      d = d.substring(3);
    } else if (d.length() == 11 && d.charAt(0) == '1') {
      d = d.substring(1);
    }
    return d.length() == 10 && d.charAt(0) >= '2' && d.charAt(3) >= '2';
  }
}
