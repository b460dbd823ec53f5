// These tests start real servers and judge timing thresholds: run one class at a time, so that on a
// 2-core machine one test's provisioning does not starve another's probes.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
