package io.sparkseal.log4j;

import io.sparkseal.MessageRules;
import io.sparkseal.Sealers;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.pattern.ConverterKeys;
import org.apache.logging.log4j.core.pattern.LogEventPatternConverter;
import org.apache.logging.log4j.core.pattern.PatternConverter;
import org.apache.logging.log4j.message.Message;
import org.apache.logging.log4j.util.StringBuilderFormattable;

/**
 * {@code %sm}: the event's message with its data-bearing parts sealed (see
 * {@link MessageRules}); every other message is formatted exactly as {@code %m} does, on
 * the same allocation-free path.
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
    Message msg = event.getMessage();
    if (MessageRules.applies(event.getLoggerName())) {
      toAppendTo.append(
          MessageRules.seal(event.getLoggerName(), msg.getFormattedMessage(), Sealers.get()));
    } else if (msg instanceof StringBuilderFormattable) {
      ((StringBuilderFormattable) msg).formatTo(toAppendTo);
    } else {
      toAppendTo.append(msg.getFormattedMessage());
    }
  }
}
