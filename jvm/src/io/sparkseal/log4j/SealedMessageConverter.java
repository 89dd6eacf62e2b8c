package io.sparkseal.log4j;

import io.sparkseal.Sealers;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.pattern.ConverterKeys;
import org.apache.logging.log4j.core.pattern.LogEventPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternConverter;
import org.apache.logging.log4j.message.Message;
import org.apache.logging.log4j.util.StringBuilderFormattable;

/**
 * {@code %sm}: the event's message with everything that is not on the readable allow-list
 * sealed ({@link MessageSealer}). If sealing fails, a fixed placeholder is printed, never the
 * message.
 */
@Plugin(name = "SealedMessageConverter", category = PatternConverter.CATEGORY)
@ConverterKeys({"sm", "sealedMessage"})
public final class SealedMessageConverter extends LogEventPatternConverter {
  static final String WITHHELD = "[WITHHELD by sparkseal: SS003 the log message could not be sealed]";

  private SealedMessageConverter() {
    super("SealedMessage", "message");
  }

  public static SealedMessageConverter newInstance(String[] options) {
    return new SealedMessageConverter();
  }

  @Override
  public void format(LogEvent event, StringBuilder toAppendTo) {
    Message msg = event.getMessage();
    String logger = event.getLoggerName();
    if (MessageSealer.ownLogger(logger) && msg instanceof StringBuilderFormattable) {
      ((StringBuilderFormattable) msg).formatTo(toAppendTo); // sparkseal's words: as %m
      return;
    }
    int start = toAppendTo.length();
    try {
      MessageSealer.sealTo(logger, msg.getFormattedMessage(), Sealers.get(), toAppendTo);
    } catch (RuntimeException | LinkageError e) {
      toAppendTo.setLength(start); // nothing of the message stays
      toAppendTo.append(WITHHELD);
    }
  }
}
