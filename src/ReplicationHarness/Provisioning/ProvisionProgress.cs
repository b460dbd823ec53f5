namespace ReplicationHarness.Provisioning;

/// <summary>One step of provisioning, as shown to the user while it happens.</summary>
/// <param name="Phase">The phase, e.g. <c>base backup</c>.</param>
/// <param name="Message">What is going on.</param>
/// <param name="Percent">Completion of the phase, where the tool reports it (base backup).</param>
internal sealed record ProvisionProgress(string Phase, string Message, double? Percent = null);
