using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ReplicationHarness.Network;
using ReplicationHarness.Units;

namespace ReplicationHarness.Tests.Network;

/// <summary>The proxy against a loopback echo server: what it forwards, when, how fast, and what a partition does.</summary>
public sealed class TcpLinkProxyTests : IAsyncDisposable
{
    private readonly TcpListener _echo = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TcpLinkProxy _proxy;

    public TcpLinkProxyTests()
    {
        _echo.Start();
        _ = EchoAsync();
        _proxy = TcpLinkProxy.Start(((IPEndPoint)_echo.LocalEndpoint).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _proxy.DisposeAsync();
        _stop.Cancel();
        _echo.Stop();
        _stop.Dispose();
    }

    private async Task EchoAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _echo.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    var stream = client.GetStream();
                    var buffer = new byte[8192];
                    try
                    {
                        int read;
                        while ((read = await stream.ReadAsync(buffer, _stop.Token)) > 0)
                            await stream.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
                    }
                    catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
                    {
                    }
                }
            });
        }
    }

    private async Task<TcpClient> ConnectAsync()
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, _proxy.Port);
        return client;
    }

    private static async Task<byte[]> ReadExactlyAsync(NetworkStream stream, int count, TimeSpan limit)
    {
        var buffer = new byte[count];
        using var timeout = new CancellationTokenSource(limit);
        await stream.ReadExactlyAsync(buffer, timeout.Token);
        return buffer;
    }

    [Fact]
    public async Task Forwards_bytes_both_ways_unchanged()
    {
        using var client = await ConnectAsync();
        var payload = new byte[256 * 1024];
        Random.Shared.NextBytes(payload);

        var echoed = ReadExactlyAsync(client.GetStream(), payload.Length, TimeSpan.FromSeconds(10));
        await client.GetStream().WriteAsync(payload);

        Assert.Equal(payload, await echoed);
        // The proxy counts a chunk once its write to the other side returned, which may be just after the client read
        // it: wait for the counters (bounded) rather than read them at once.
        var counted = Stopwatch.StartNew();
        while (_proxy.BytesForwarded != (payload.Length, payload.Length) && counted.Elapsed < TimeSpan.FromSeconds(5))
            await Task.Delay(5);
        Assert.Equal((payload.Length, payload.Length), ((int)_proxy.BytesForwarded.ToStandby, (int)_proxy.BytesForwarded.ToPrimary));
    }

    [Fact]
    public async Task Latency_delays_each_direction()
    {
        using var client = await ConnectAsync();
        _proxy.Apply(new LinkConditions(TimeSpan.FromMilliseconds(60), TimeSpan.FromMilliseconds(10), null));

        var stopwatch = Stopwatch.StartNew();
        await client.GetStream().WriteAsync(new byte[] { 1, 2, 3 });
        await ReadExactlyAsync(client.GetStream(), 3, TimeSpan.FromSeconds(5));

        // Out and back, each at least latency - jitter.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(100), $"round trip took {stopwatch.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_bandwidth_cap_limits_the_rate()
    {
        using var client = await ConnectAsync();
        _proxy.Apply(new LinkConditions(TimeSpan.Zero, TimeSpan.Zero, new Bandwidth(256 * 1024)));
        var payload = new byte[128 * 1024];

        var stopwatch = Stopwatch.StartNew();
        var echoed = ReadExactlyAsync(client.GetStream(), payload.Length, TimeSpan.FromSeconds(10));
        await client.GetStream().WriteAsync(payload);
        await echoed;

        // 128 kB at 256 kB/s takes half a second each way; the two directions overlap, so at least ~0.5 s.
        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(450), $"took {stopwatch.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_drop_partition_holds_traffic_until_healed()
    {
        using var client = await ConnectAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 1 });
        await ReadExactlyAsync(stream, 1, TimeSpan.FromSeconds(5));

        Assert.Equal(1, _proxy.Cut(PartitionMode.Drop));
        await stream.WriteAsync(new byte[] { 2 });
        var held = ReadExactlyAsync(stream, 1, TimeSpan.FromSeconds(10));
        await Task.Delay(300);
        Assert.False(held.IsCompleted, "a byte crossed a dropped link");

        _proxy.Heal();
        Assert.Equal([2], await held);
        Assert.Null(_proxy.Partition);
    }

    [Fact]
    public async Task Once_a_cut_returns_not_one_byte_crosses_under_continuous_traffic()
    {
        using var client = await ConnectAsync();
        var stream = client.GetStream();
        using var done = new CancellationTokenSource();
        var chunk = new byte[16 * 1024];
        var writer = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
                await stream.WriteAsync(chunk, done.Token);
        });
        var reader = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            while (!done.IsCancellationRequested && await stream.ReadAsync(buffer, done.Token) > 0)
            {
            }
        });
        var leaks = new List<string>();
        var undrained = 0;
        try
        {
            for (var cycle = 0; cycle < 50; cycle++)
            {
                await Task.Delay(2);
                var undrainedBefore = _proxy.UndrainedCuts;
                _proxy.Cut(PartitionMode.Drop);
                var atCut = _proxy.BytesForwarded;
                await Task.Delay(5);
                var after = _proxy.BytesForwarded;
                // A send that began before the cut and was still under way after the drain limit (seen once, a 16 kB
                // send under a loaded parallel test run) is counted when it ends: not a byte let through after the cut.
                if (_proxy.UndrainedCuts != undrainedBefore)
                    undrained++;
                else if (after != atCut)
                    leaks.Add($"cycle {cycle}: {after.ToStandby - atCut.ToStandby} B to the standby, {after.ToPrimary - atCut.ToPrimary} B to the primary");
                _proxy.Heal();
            }
            Assert.True(_proxy.BytesForwarded.ToStandby > 0, "no traffic crossed at all: the test proves nothing");
            Assert.True(undrained < 25, $"{undrained} of 50 cuts found a send still under way after {TcpLinkProxy.SendDrainLimit.TotalSeconds} s: the test proves nothing");
        }
        finally
        {
            done.Cancel();
            client.Close();
            await Task.WhenAll(writer, reader).ContinueWith(_ => { }, TaskScheduler.Default);
        }
        Assert.True(leaks.Count == 0, $"bytes crossed a cut link: {string.Join("; ", leaks)}");
    }

    [Fact]
    public async Task A_reject_partition_resets_connections_and_refuses_new_ones_until_healed()
    {
        using var client = await ConnectAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(new byte[] { 1 });
        await ReadExactlyAsync(stream, 1, TimeSpan.FromSeconds(5));

        Assert.Equal(1, _proxy.Cut(PartitionMode.Reject));
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await stream.WriteAsync(new byte[] { 2 });
            await ReadExactlyAsync(stream, 1, TimeSpan.FromSeconds(5));
        });
        // Refused: reset while connecting or at the first exchange, depending on timing.
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var refused = await ConnectAsync();
            await refused.GetStream().WriteAsync(new byte[] { 3 });
            await ReadExactlyAsync(refused.GetStream(), 1, TimeSpan.FromSeconds(5));
        });

        _proxy.Heal();
        using var after = await ConnectAsync();
        await after.GetStream().WriteAsync(new byte[] { 4 });
        Assert.Equal([4], await ReadExactlyAsync(after.GetStream(), 1, TimeSpan.FromSeconds(5)));
        Assert.Equal(2, _proxy.ResetConnections);
    }
}
