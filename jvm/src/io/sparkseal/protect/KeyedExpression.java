package io.sparkseal.protect;

import java.util.List;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.codegen.CodeBlock;
import org.apache.spark.sql.catalyst.expressions.codegen.CodegenContext;
import org.apache.spark.sql.catalyst.expressions.codegen.ExprCode;
import org.apache.spark.sql.catalyst.expressions.codegen.JavaCode;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.types.UTF8String;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * A keyed rule as a Catalyst expression: {@code sparkseal_hash(email#1)} in every plan, with
 * generated code that calls the rule on the string's bytes (a UDF converted every value to a
 * {@code String} and back, and ran outside whole-stage code generation).
 *
 * <p>The only child is the value; the secret stays in the {@link KeyedRule}'s broadcast, so
 * no plan, {@code explain()} mode, UI page or event log can print it, and generated code
 * references the rule object instead of embedding any key bytes as literals. Not registered
 * in any function registry: SQL cannot call it by name. Never foldable: a literal argument
 * is computed on executors, like any other value, not at planning time into the plan.
 *
 * <p>A direct {@link Expression} subclass: Java cannot extend {@code UnaryExpression} (its
 * final Scala bridge methods do not satisfy javac), so the one-child plumbing is here.
 */
public final class KeyedExpression extends Expression implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  private final Expression child;
  private final KeyedRule rule;
  private final Seq<Expression> children;

  /** Public for Catalyst's copy by reflection ({@code makeCopy}); built by {@link Functions}. */
  public KeyedExpression(Expression child, KeyedRule rule) {
    this.child = child;
    this.rule = rule;
    this.children = CollectionConverters.asScala(List.of(child)).toList();
  }

  @Override
  public Seq<Expression> children() {
    return children;
  }

  @Override
  public DataType dataType() {
    return DataTypes.StringType;
  }

  @Override
  public boolean nullable() {
    return rule.mayRefuse() || child.nullable();
  }

  @Override
  public boolean foldable() {
    return false;
  }

  @Override
  public Object eval(InternalRow input) {
    Object value = child.eval(input);
    return value == null ? null : rule.apply((UTF8String) value);
  }

  /**
   * The child's code, then a call of the rule held in the generated class's references: no
   * key (not even the broadcast's id) is written into the generated source.
   */
  @Override
  public ExprCode doGenCode(CodegenContext ctx, ExprCode ev) {
    ExprCode in = child.genCode(ctx);
    String ref = ctx.addReferenceObj("sparksealRule", rule, KeyedRule.class.getName());
    String isNull = ev.isNull().toString();
    String value = ev.value().toString();
    String call = "boolean " + isNull + " = " + in.isNull() + ";\n"
        + "UTF8String " + value + " = null;\n"
        + "if (!" + isNull + ") {\n"
        + "  " + value + " = " + ref + ".apply(" + in.value() + ");\n"
        + "  " + isNull + " = " + value + " == null;\n"
        + "}\n";
    Seq<String> parts = CollectionConverters.asScala(List.of(call)).toList();
    Seq<JavaCode> none = CollectionConverters.asScala(List.<JavaCode>of()).toList();
    return new ExprCode(in.code().$plus(new CodeBlock(parts, none)), ev.isNull(), ev.value());
  }

  @Override
  public Expression withNewChildrenInternal(IndexedSeq<Expression> newChildren) {
    return new KeyedExpression(newChildren.apply(0), rule);
  }

  @Override
  public String prettyName() {
    return rule.name();
  }

  @Override
  public String nodeName() {
    return rule.name();
  }

  @Override
  public String toString() {
    return rule.name() + "(" + child + ")";
  }

  @Override
  public String sql() {
    return rule.name() + "(" + child.sql() + ")";
  }

  @Override
  public String simpleString(int maxFields) {
    return toString();
  }

  @Override
  public int productArity() {
    return 2;
  }

  @Override
  public Object productElement(int n) {
    switch (n) {
      case 0:
        return child;
      case 1:
        return rule;
      default:
        throw new IndexOutOfBoundsException(String.valueOf(n));
    }
  }

  @Override
  public boolean canEqual(Object other) {
    return other instanceof KeyedExpression;
  }

  /** Equal for the same rule object on equal children (a rule built twice is two rules). */
  @Override
  public boolean equals(Object other) {
    return other instanceof KeyedExpression
        && ((KeyedExpression) other).rule == rule
        && ((KeyedExpression) other).child.equals(child);
  }

  @Override
  public int hashCode() {
    return 31 * child.hashCode() + System.identityHashCode(rule);
  }
}
