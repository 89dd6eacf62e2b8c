package io.sparkseal.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.catalyst.expressions.Alias;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.aggregate.AggregateExpression;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.Join;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Sort;
import org.apache.spark.sql.catalyst.plans.logical.Union;
import org.apache.spark.sql.catalyst.plans.logical.Window;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Which input columns each output column comes from, and how, from the analyzed plan's
 * expression ids (OpenLineage's column-lineage facet vocabulary): DIRECT IDENTITY (copied),
 * TRANSFORMATION (computed), AGGREGATION (an aggregate over it); INDIRECT JOIN, FILTER,
 * GROUP_BY, SORT, WINDOW (columns that decide which rows, not what values). Only names and
 * ids are read, never an expression's text.
 */
final class ColumnLineage {
  /** One source column: an input dataset (by index) and a field, with how it is used. */
  record Origin(int input, String field, String subtype) {}

  private static final List<String> STRENGTH = List.of("IDENTITY", "TRANSFORMATION", "AGGREGATION");

  private final Map<Long, Set<Origin>> origins = new HashMap<>();
  private final Set<Origin> indirect = new LinkedHashSet<>();
  private final Names names;

  ColumnLineage(Names names) {
    this.names = names;
  }

  /** A leaf's column: attribute {@code attribute} is that column of input {@code input}
   * (a relation read from several paths is one input per path). */
  void source(Attribute attribute, int input) {
    origins.computeIfAbsent(id(attribute), k -> new LinkedHashSet<>())
        .add(new Origin(input, names.column(attribute.name()), "IDENTITY"));
  }

  /** Folds one node (its children already visited) into the map. */
  void visit(LogicalPlan node) {
    if (node instanceof Union union) {
      List<Attribute> out = asList(union.output());
      for (LogicalPlan child : asList(union.children())) {
        List<Attribute> childOut = asList(child.output());
        for (int i = 1; i < out.size() && i < childOut.size(); i++) {
          origins.computeIfAbsent(id(out.get(i)), k -> new LinkedHashSet<>())
              .addAll(of(childOut.get(i)));
        }
      }
    }
    if (node instanceof Join join && join.condition().isDefined()) {
      indirect(join.condition().get(), "JOIN");
    } else if (node instanceof Filter filter) {
      indirect(filter.condition(), "FILTER");
    } else if (node instanceof Aggregate aggregate) {
      for (Expression e : asList(aggregate.groupingExpressions())) {
        indirect(e, "GROUP_BY");
      }
    } else if (node instanceof Sort sort) {
      for (Expression e : asList(sort.order())) {
        indirect(e, "SORT");
      }
    } else if (node instanceof Window window) {
      for (Expression e : asList(window.partitionSpec())) {
        indirect(e, "WINDOW");
      }
      for (Expression e : asList(window.orderSpec())) {
        indirect(e, "WINDOW");
      }
    }
    for (Expression e : asList(node.expressions())) {
      aliases(e);
    }
  }

  private void aliases(Expression e) {
    if (e instanceof Alias alias) {
      String how = alias.child() instanceof Attribute ? "IDENTITY"
          : hasAggregate(alias.child()) ? "AGGREGATION" : "TRANSFORMATION";
      Set<Origin> sources = new LinkedHashSet<>();
      for (Attribute ref : asList(alias.child().references().toSeq())) {
        for (Origin o : of(ref)) {
          sources.add(new Origin(o.input(), o.field(), stronger(o.subtype(), how)));
        }
      }
      origins.put(alias.exprId().id(), sources);
      return;
    }
    for (Expression child : asList(e.children())) {
      aliases(child);
    }
  }

  private void indirect(Expression e, String subtype) {
    for (Attribute ref : asList(e.references().toSeq())) {
      for (Origin o : of(ref)) {
        indirect.add(new Origin(o.input(), o.field(), subtype));
      }
    }
  }

  private Set<Origin> of(Attribute attribute) {
    return origins.getOrDefault(id(attribute), Set.of());
  }

  private static boolean hasAggregate(Expression e) {
    if (e instanceof AggregateExpression) {
      return true;
    }
    for (Expression child : asList(e.children())) {
      if (hasAggregate(child)) {
        return true;
      }
    }
    return false;
  }

  private static String stronger(String a, String b) {
    return STRENGTH.indexOf(a) >= STRENGTH.indexOf(b) ? a : b;
  }

  /** {@code {"out_col": [{"input", "field", "type": "DIRECT", "subtype"}]}} for a write. */
  ObjectNode columns(List<Attribute> output, List<String> names) {
    Map<String, Set<Origin>> byName = new LinkedHashMap<>();
    for (int i = 0; i < output.size(); i++) {
      byName.put(this.names.column(i < names.size() ? names.get(i) : output.get(i).name()),
          of(output.get(i)));
    }
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    byName.forEach((name, sources) -> out.set(name, origins(sources, "DIRECT")));
    return out;
  }

  /** The columns that decide which rows are written (dataset-level INDIRECT lineage). */
  ArrayNode indirect() {
    return origins(indirect, "INDIRECT");
  }

  private static ArrayNode origins(Set<Origin> sources, String type) {
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    for (Origin o : sources) {
      list.addObject().put("input", o.input()).put("field", o.field()).put("type", type)
          .put("subtype", o.subtype());
    }
    return list;
  }

  private static long id(Attribute a) {
    return a.exprId().id();
  }

  static <T> List<T> asList(scala.collection.Iterable<? extends T> seq) {
    return new ArrayList<>(CollectionConverters.asJavaCollection(seq));
  }
}
