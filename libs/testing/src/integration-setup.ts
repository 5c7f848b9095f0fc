// integration tests wait on real brokers and servers; each test still has a bound
jest.setTimeout(120_000);
