package io.sparkseal.log4j;

import io.sparkseal.MessageRules;
import io.sparkseal.Sealers;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.pattern.ConverterKeys;
import org.apache.logging.log4j.core.pattern.LogEventPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternConverter;

/**
 * {@code %sm}: the event's message with its data-bearing parts sealed (see
 * {@link MessageRules}); Spark's operational messages pass through unchanged.
 */
@Plugin(name = "SealedMessageConverter", category = PatternConverter.CATEGORY)
@ConverterKeys({"sm", "sealedMessage"})
public final class SealedMessageConverter extends LogEventPatternConverter {
  private SealedMessageConverter() {
    super("SealedMessage", "message");
  }

  public static SealedMessageConverter newInstance(String[] options) {
    return new SealedMessageConverter();
  }

  @Override
  public void format(LogEvent event, StringBuilder toAppendTo) {
    String msg = event.getMessage().getFormattedMessage();
    toAppendTo.append(MessageRules.seal(event.getLoggerName(), msg, Sealers.get()));
  }
}
