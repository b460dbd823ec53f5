namespace ReplicationHarness.Scenarios.Catalog;

/// <summary>What a step argument's value is; the binder reads it and the JSON Schema test checks it.</summary>
internal enum ArgumentKind
{
    /// <summary>A whole number within bounds.</summary>
    Integer,

    /// <summary>A PostgreSQL identifier the harness creates (a table name).</summary>
    Identifier,

    /// <summary>A duration such as <c>250ms</c>.</summary>
    Duration,

    /// <summary>A row rate such as <c>500/s</c>.</summary>
    Rate,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>One word of a fixed list.</summary>
    Choice,

    /// <summary>Non-empty text (a SQL statement).</summary>
    Text,

    /// <summary>A byte rate such as <c>256kB/s</c>.</summary>
    Bandwidth,

    /// <summary>A node of the scenario's topology by name: <c>primary</c> or a standby's name.</summary>
    Node,

    /// <summary>A non-empty list of the topology's standbys by name: <c>[s1, s2]</c>.</summary>
    StandbyList,
}
