package io.sparkseal.log4j;

import io.sparkseal.Sealers;
import io.sparkseal.ThrowableSealer;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.pattern.ConverterKeys;
import org.apache.logging.log4j.core.pattern.PatternConverter;
import org.apache.logging.log4j.core.pattern.ThrowablePatternConverter;

/**
 * {@code %sex}: the event's throwable as {@code printStackTrace} prints it, every message
 * sealed (class names and frames readable). Used in place of {@code %ex}.
 */
@Plugin(name = "SealedThrowableConverter", category = PatternConverter.CATEGORY)
@ConverterKeys({"sex", "sealedException"})
public final class SealedThrowableConverter extends ThrowablePatternConverter {
  private SealedThrowableConverter(String[] options) {
    super("SealedThrowable", "throwable", options, null);
  }

  public static SealedThrowableConverter newInstance(String[] options) {
    return new SealedThrowableConverter(options);
  }

  @Override
  public void format(LogEvent event, StringBuilder toAppendTo) {
    Throwable t = event.getThrown();
    if (t == null) {
      return;
    }
    StringBuilder printed = new StringBuilder();
    try {
      ThrowableSealer.print(t, Sealers.get(), printed);
    } catch (RuntimeException | LinkageError e) {
      printed.setLength(0);
      printed.append(t.getClass().getName()).append(": ").append(SealedMessageConverter.WITHHELD)
          .append('\n');
    }
    toAppendTo.append(printed);
  }
}
