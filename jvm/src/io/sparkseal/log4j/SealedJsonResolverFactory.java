package io.sparkseal.log4j;

import io.sparkseal.Sealers;
import io.sparkseal.ThrowableSealer;
import java.util.Map;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.layout.template.json.resolver.EventResolver;
import org.apache.logging.log4j.layout.template.json.resolver.EventResolverContext;
import org.apache.logging.log4j.layout.template.json.resolver.EventResolverFactory;
import org.apache.logging.log4j.layout.template.json.resolver.TemplateResolverConfig;
import org.apache.logging.log4j.layout.template.json.resolver.TemplateResolverFactory;
import org.apache.logging.log4j.layout.template.json.util.JsonWriter;
import org.apache.logging.log4j.message.Message;

/**
 * {@code {"$resolver": "sparkseal", "field": ...}} for log4j2's JsonTemplateLayout, the layout
 * of Spark 4's structured logging: the same sealing as {@code %sm} / {@code %sex}, written as
 * JSON values. {@code message}: the event's message ({@link MessageSealer});
 * {@code context}: the event's context map (MDC) with values sealed by
 * {@link ContextSealer}; {@code exceptionMessage}: the throwable's message, sealed (class
 * name and frames come from the layout's own resolvers: they carry no data). If sealing
 * fails, a fixed placeholder is written, never the original.
 */
@Plugin(name = "SealedJsonResolverFactory", category = TemplateResolverFactory.CATEGORY)
public final class SealedJsonResolverFactory implements EventResolverFactory {
  static final String WITHHELD =
      "[WITHHELD by sparkseal: SS921 the log event could not be sealed]";
  private static final SealedJsonResolverFactory INSTANCE = new SealedJsonResolverFactory();

  private SealedJsonResolverFactory() {}

  @PluginFactory
  public static SealedJsonResolverFactory getInstance() {
    return INSTANCE;
  }

  @Override
  public String getName() {
    return "sparkseal";
  }

  @Override
  public EventResolver create(EventResolverContext context, TemplateResolverConfig config) {
    String field = config.getString("field");
    if ("message".equals(field)) {
      return new MessageResolver();
    }
    if ("context".equals(field)) {
      return new ContextResolver();
    }
    if ("exceptionMessage".equals(field)) {
      return new ExceptionMessageResolver();
    }
    throw new IllegalArgumentException(
        "sparkseal resolver: unknown field " + field + " (message, context, exceptionMessage)");
  }

  static final class MessageResolver implements EventResolver {
    @Override
    public void resolve(LogEvent event, JsonWriter writer) {
      String text;
      try {
        Message msg = event.getMessage();
        text = msg == null ? null
            : MessageSealer.seal(event.getLoggerName(), msg.getFormattedMessage(), Sealers.get());
      } catch (RuntimeException | LinkageError e) {
        text = WITHHELD;
      }
      if (text == null) {
        writer.writeNull();
      } else {
        writer.writeString(text);
      }
    }
  }

  static final class ContextResolver implements EventResolver {
    @Override
    public boolean isResolvable(LogEvent event) {
      return event.getContextData() != null && !event.getContextData().isEmpty();
    }

    @Override
    public void resolve(LogEvent event, JsonWriter writer) {
      Map<String, String> sealed;
      try {
        sealed = ContextSealer.sealAll(event.getContextData().toMap(), Sealers.get());
      } catch (RuntimeException | LinkageError e) {
        writer.writeString(WITHHELD);
        return;
      }
      writer.writeObjectStart();
      boolean first = true;
      for (Map.Entry<String, String> e : sealed.entrySet()) {
        if (!first) {
          writer.writeSeparator();
        }
        first = false;
        writer.writeObjectKey(e.getKey());
        writer.writeString(e.getValue());
      }
      writer.writeObjectEnd();
    }
  }

  static final class ExceptionMessageResolver implements EventResolver {
    @Override
    public boolean isResolvable(LogEvent event) {
      return event.getThrown() != null;
    }

    @Override
    public void resolve(LogEvent event, JsonWriter writer) {
      Throwable t = event.getThrown();
      String text;
      try {
        text = t == null ? null : ThrowableSealer.sealedMessage(t, Sealers.get());
      } catch (RuntimeException | LinkageError e) {
        text = WITHHELD;
      }
      if (text == null) {
        writer.writeNull();
      } else {
        writer.writeString(text);
      }
    }
  }
}
