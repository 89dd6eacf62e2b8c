package org.jspecify.annotations;

/** Compile-time stand-in: log4j-core 2.25 refers to JSpecify, which pyspark does not ship. */
@java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.CLASS)
public @interface NullUnmarked {}
