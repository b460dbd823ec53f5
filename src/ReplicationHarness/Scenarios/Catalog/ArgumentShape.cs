namespace ReplicationHarness.Scenarios.Catalog;

/// <summary>How a step's action key carries its arguments.</summary>
internal enum ArgumentShape
{
    /// <summary>No arguments: the key alone (<c>- heal:</c>).</summary>
    None,

    /// <summary>One value written after the key (<c>- wait: 2s</c>).</summary>
    Scalar,

    /// <summary>A mapping of named arguments, required ones included.</summary>
    Mapping,

    /// <summary>A mapping whose arguments all have defaults, so the key alone is fine too (<c>- promote:</c>).</summary>
    OptionalMapping,

    /// <summary>
    /// The first argument alone written after the key (<c>- set_apply_delay: 1s</c>), or a mapping of all of them
    /// (<c>- set_apply_delay: { delay: 1s, on: s2 }</c>).
    /// </summary>
    ScalarOrMapping,

    /// <summary>
    /// A mapping from standbys of the topology, by name, to one value each (<c>- sync_state: { s1: quorum, s2: quorum }</c>);
    /// the step's one argument describes the values, and its factory gets them, in the order written, under that
    /// argument's name.
    /// </summary>
    StandbyMapping,
}
