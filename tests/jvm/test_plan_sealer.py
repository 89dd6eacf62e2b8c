"""Which parts of Spark plan strings stay readable and which are sealed."""

PLAN = """== Physical Plan ==
AdaptiveSparkPlan (5)
+- HashAggregate (4)
   +- Filter (2)
      +- Scan ExistingRDD (1)


(1) Scan ExistingRDD [codegen id : 1]
Output [1]: [email#13]
Arguments: [email#13], MapPartitionsRDD[5] at applySchemaToPythonRDD at Native.java:0

(2) Filter [codegen id : 1]
Input [1]: [email#13]
Condition : (isnotnull(email#13) AND (email#13 = bob.secret@example.com))
"""


def test_plan_description(seal_tool, key_text_files, opener):
    pub, _ = key_text_files
    out = seal_tool("plan", pub, input=PLAN).stdout
    assert "bob.secret" not in out
    for readable in (
        "== Physical Plan ==",
        "+- Filter (2)",
        "(2) Filter [codegen id : 1]",
        "Input [1]: [email#13]",
        "Output [1]: [email#13]",
    ):
        assert readable in out
    assert "Condition : [SEALED:2:X:" in out
    assert opener.unseal_text(out)[0] == PLAN


def test_node_strings(seal_tool, key_text_files, opener):
    pub, _ = key_text_files
    nodes = [
        "Project [email#13]",
        "Filter (isnotnull(email#13) AND (email#13 = bob.secret@example.com))",
        "Scan parquet [email#1] PushedFilters: [EqualTo(email,bob.secret@example.com)]",
        "HashAggregate(keys=[], functions=[count(1)])",
    ]
    out = seal_tool("node", pub, input="\n".join(nodes) + "\n").stdout.splitlines()
    assert out[0] == "Project [email#13]"
    assert out[1].startswith("Filter [SEALED:2:X:")
    assert out[2].startswith("Scan parquet [SEALED:2:X:")
    assert out[3].startswith("HashAggregate [SEALED:2:X:")
    assert "bob.secret" not in "".join(out)
    assert opener.unseal_text(out[1])[0] == nodes[1]
    assert opener.unseal_text(out[2])[0] == nodes[2]
