namespace ReplicationHarness.Assertions;

/// <summary>A table's row count and digest on one node, or why they could not be read.</summary>
internal sealed record TableContents(long Rows, string Md5, string? Error);
