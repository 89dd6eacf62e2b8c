package io.sparkseal;

/**
 * An error sparkseal raises itself. Its message is sparkseal's own fixed text (codes, reasons,
 * what to do) and never carries data, so it is the one exception class whose message stays
 * readable: users and the driver must be able to read why sparkseal refused.
 */
public final class SparksealException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public SparksealException(String message) {
    super(message);
  }
}
