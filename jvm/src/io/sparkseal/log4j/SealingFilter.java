package io.sparkseal.log4j;

import io.sparkseal.Sealers;
import io.sparkseal.ThrowableSealer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.Marker;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.config.Node;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.filter.AbstractFilter;
import org.apache.logging.log4j.message.Message;

/**
 * A configuration-wide log4j2 filter that never filters: it seals the messages of every
 * logged throwable in place, before any appender (or Spark) uses them. Configured at the top
 * of sparkseal's log4j2 configuration, it sees every log call that carries a throwable,
 * whatever the logger's level.
 */
@Plugin(name = "SparksealFilter", category = Node.CATEGORY, elementType = Filter.ELEMENT_TYPE)
public final class SealingFilter extends AbstractFilter {
  private SealingFilter() {
    super(Result.NEUTRAL, Result.NEUTRAL);
  }

  /** The match attributes every filter accepts are ignored: this filter never filters. */
  @PluginFactory
  public static SealingFilter createFilter(
      @PluginAttribute("onMatch") Result onMatch, @PluginAttribute("onMismatch") Result onMismatch) {
    return new SealingFilter();
  }

  private static Result seal(Throwable t) {
    if (t != null) {
      ThrowableSealer.sealInPlace(t, Sealers.get());
    }
    return Result.NEUTRAL;
  }

  private static Throwable last(Object[] params) {
    if (params != null && params.length > 0 && params[params.length - 1] instanceof Throwable) {
      return (Throwable) params[params.length - 1];
    }
    return null;
  }

  @Override
  public Result filter(LogEvent event) {
    return seal(event.getThrown());
  }

  @Override
  public Result filter(Logger logger, Level level, Marker marker, Message msg, Throwable t) {
    return seal(t);
  }

  @Override
  public Result filter(Logger logger, Level level, Marker marker, Object msg, Throwable t) {
    return seal(t);
  }

  @Override
  public Result filter(Logger logger, Level level, Marker marker, String msg, Object... params) {
    return seal(last(params));
  }
}
