package io.sparkseal.audit;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkseal.TokenSealer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.plans.logical.CommandResult;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.CommandResultExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.execution.adaptive.QueryStageExec;
import org.apache.spark.sql.execution.command.CreateDataSourceTableAsSelectCommand;
import org.apache.spark.sql.execution.command.DataWritingCommand;
import org.apache.spark.sql.execution.command.DataWritingCommandExec;
import org.apache.spark.sql.execution.datasources.HadoopFsRelation;
import org.apache.spark.sql.execution.datasources.InsertIntoHadoopFsRelationCommand;
import org.apache.spark.sql.execution.datasources.LogicalRelation;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.execution.datasources.SaveIntoDataSourceCommand;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.execution.datasources.v2.FileTable;
import org.apache.spark.sql.execution.metric.SQLMetric;
import scala.Option;

/**
 * One query's inputs, outputs, rows written and column lineage, read from the analyzed plan's
 * nodes (never from plan text). Readable by design, and documented as the audit allow-list:
 * dataset paths and table names, formats, save modes, column names and types, counts. Names
 * and paths pass {@link Names}: a part that is not identifier- or path-shaped is sealed, and a
 * Hive partition value ({@code key=value}) is always sealed.
 */
final class QueryRecord {
  private final ObjectNode json = JsonNodeFactory.instance.objectNode();
  private final ArrayNode inputs = json.putArray("inputs");
  private final ArrayNode outputs = json.putArray("outputs");
  private final List<ObjectNode> writes = new ArrayList<>();
  private final ColumnLineage lineage;
  private final TokenSealer sealer;
  private final Names names;

  private QueryRecord(TokenSealer sealer) {
    this.sealer = sealer;
    this.names = new Names(sealer);
    this.lineage = new ColumnLineage(names);
  }

  /** The record of {@code analyzed}, with write metrics from {@code executed} when it ran. */
  static ObjectNode of(LogicalPlan analyzed, SparkPlan executed, TokenSealer sealer) {
    QueryRecord record = new QueryRecord(sealer);
    if (analyzed != null) {
      record.walk(analyzed);
    }
    if (executed != null) {
      List<DataWritingCommand> done = new ArrayList<>();
      collectWrites(executed, done);
      for (int i = 0; i < record.writes.size() && i < done.size(); i++) {
        metrics(record.writes.get(i), done.get(i));
      }
    }
    return record.json;
  }

  private void walk(LogicalPlan node) {
    if (node instanceof CommandResult result) {
      walk(result.commandLogicalPlan());
      return;
    }
    if (node instanceof InsertIntoHadoopFsRelationCommand insert) {
      walk(insert.query());
      ObjectNode out = dataset(outputs, insert.outputPath(), insert.fileFormat().toString(),
          insert.catalogTable());
      write(out, insert.query(), ColumnLineage.asList(insert.outputColumnNames()),
          insert.mode().name());
      return;
    }
    if (node instanceof SaveIntoDataSourceCommand save) {
      // JDBC and other relation providers: the provider only -- its options hold URLs and
      // passwords, so none is read.
      walk(save.query());
      ObjectNode out = outputs.addObject().put("namespace", "spark")
          .put("name", save.dataSource().getClass().getName()).put("format", "provider");
      out.putNull("table");
      write(out, save.query(), List.of(), save.mode().name());
      return;
    }
    if (node instanceof CreateDataSourceTableAsSelectCommand ctas) {
      walk(ctas.query());
      CatalogTable table = ctas.table();
      ObjectNode out = outputs.addObject();
      String qualified = tableName(table);
      out.put("namespace", "spark_catalog").put("name", qualified)
          .put("format", table.provider().isDefined() ? table.provider().get() : null)
          .put("table", qualified);
      write(out, ctas.query(), ColumnLineage.asList(ctas.outputColumnNames()),
          ctas.mode().name());
      return;
    }
    for (LogicalPlan child : ColumnLineage.<LogicalPlan>asList(node.children())) {
      walk(child);
    }
    if (node instanceof LogicalRelation relation) {
      List<Attribute> output = ColumnLineage.asList(relation.output());
      if (relation.relation() instanceof HadoopFsRelation fs) {
        // Every root path is an input (a multi-path read, a glob's matches).
        for (Path root : ColumnLineage.<Path>asList(fs.location().rootPaths())) {
          input(dataset(inputs, root, fs.fileFormat().toString(), relation.catalogTable()),
              output);
        }
      } else {
        input(inputs.addObject().put("namespace", "spark")
            .put("name", relation.relation().getClass().getSimpleName()), output);
      }
      return;
    }
    if (node instanceof DataSourceV2Relation v2) {
      List<Attribute> output = ColumnLineage.asList(v2.output());
      if (v2.table() instanceof FileTable files) {
        for (Path root : ColumnLineage.<Path>asList(files.fileIndex().rootPaths())) {
          input(dataset(inputs, root, files.formatName(), Option.empty()), output);
        }
      } else if (v2.identifier().isDefined()) {
        Identifier id = v2.identifier().get();
        List<String> parts = new ArrayList<>(List.of(id.namespace()));
        parts.add(id.name());
        String name = names.table(parts);
        input(inputs.addObject().put("namespace", "spark_catalog").put("name", name)
            .put("format", "v2").put("table", name), output);
      } else { // a V2 table without a catalog identifier: its name may hold anything
        input(inputs.addObject().put("namespace", "spark")
            .put("name", sealer.seal(v2.table().name())).put("format", "v2"), output);
      }
      return;
    }
    lineage.visit(node);
  }

  private void input(ObjectNode in, List<Attribute> output) {
    int index = inputs.size() - 1;
    fields(in, output, List.of());
    for (Attribute a : output) {
      lineage.source(a, index);
    }
  }

  private void write(ObjectNode out, LogicalPlan query, List<String> names, String mode) {
    List<Attribute> output = ColumnLineage.asList(query.output());
    out.put("mode", mode);
    fields(out, output, names);
    out.set("columns", lineage.columns(output, names));
    out.set("indirect", lineage.indirect());
    out.putNull("rows").putNull("bytes").putNull("files");
    writes.add(out);
  }

  private ObjectNode dataset(ArrayNode list, Path path, String format,
      Option<CatalogTable> table) {
    ObjectNode d = list.addObject();
    URI uri = path == null ? null : path.toUri();
    String scheme = uri == null || uri.getScheme() == null ? "file" : uri.getScheme();
    String authority = uri == null ? null : uri.getAuthority();
    d.put("namespace", authority == null ? scheme : scheme + "://" + names.authority(authority));
    d.put("name", uri == null ? "" : names.path(uri.getPath()));
    d.put("format", shortFormat(format));
    d.put("table", table.isDefined() ? tableName(table.get()) : null);
    return d;
  }

  /** A file format's short name ("parquet" for ParquetFileFormat's "Parquet"). */
  private static String shortFormat(String format) {
    return format == null ? null : format.toLowerCase(java.util.Locale.ROOT);
  }

  private String tableName(CatalogTable table) {
    return names.table(ColumnLineage.<String>asList(table.identifier().nameParts()));
  }

  private void fields(ObjectNode d, List<Attribute> attributes, List<String> given) {
    ArrayNode fields = d.putArray("fields");
    for (int i = 0; i < attributes.size(); i++) {
      Attribute a = attributes.get(i);
      fields.addObject().put("name", names.column(i < given.size() ? given.get(i) : a.name()))
          .put("type", names.type(a.dataType())).put("nullable", a.nullable());
    }
  }

  private static void collectWrites(SparkPlan plan, List<DataWritingCommand> out) {
    if (plan instanceof DataWritingCommandExec exec) {
      out.add(exec.cmd());
    } else if (plan instanceof CommandResultExec result) {
      collectWrites(result.commandPhysicalPlan(), out);
    } else if (plan instanceof AdaptiveSparkPlanExec adaptive) {
      collectWrites(adaptive.executedPlan(), out);
    } else if (plan instanceof QueryStageExec stage) {
      collectWrites(stage.plan(), out);
    }
    for (SparkPlan child : ColumnLineage.<SparkPlan>asList(plan.children())) {
      collectWrites(child, out);
    }
  }

  private static void metrics(ObjectNode out, DataWritingCommand cmd) {
    scala.collection.Map<String, SQLMetric> metrics = cmd.metrics();
    out.put("rows", value(metrics, "numOutputRows"));
    out.put("bytes", value(metrics, "numOutputBytes"));
    out.put("files", value(metrics, "numFiles"));
  }

  private static Long value(scala.collection.Map<String, SQLMetric> metrics, String name) {
    Option<SQLMetric> m = metrics.get(name);
    return m.isDefined() ? m.get().value() : null;
  }
}
