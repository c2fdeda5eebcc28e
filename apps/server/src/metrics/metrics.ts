import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { GatewayMetrics, ResumeOutcome } from '../gateway/gateway-metrics.js';
import type { SessionsChange } from '../kernel/sessions.js';

/** What the metrics read at scrape time rather than count. */
export interface MetricsSources {
  openSockets: () => number;
  gatewaySessions: () => number;
}

/**
 * Everything `/metrics` reports, in a registry of this app's own (two apps in one process, as in
 * the tests, never mix their counts). prom-client's default metrics add the process's CPU,
 * memory, GC and event-loop delay (`nodejs_eventloop_lag_*`, from monitorEventLoopDelay).
 */
export class Metrics implements GatewayMetrics {
  readonly registry = new Registry();
  private readonly identifies: Counter;
  private readonly resumes: Counter<'outcome'>;
  private readonly events: Counter;
  private readonly slowConsumers: Counter;
  private readonly groupCommits: Histogram;
  private readonly queries: Histogram;
  private readonly busLag: Histogram;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'decentra_gateway_sockets',
      help: 'WebSocket connections open on this instance',
      registers,
      collect() {
        this.set(sources.openSockets());
      },
    });
    new Gauge({
      name: 'decentra_gateway_sessions',
      help: 'Gateway sessions on this instance, attached or waiting for a resume',
      registers,
      collect() {
        this.set(sources.gatewaySessions());
      },
    });
    this.identifies = new Counter({
      name: 'decentra_gateway_identifies_total',
      help: 'Gateway sessions begun by identify',
      registers,
    });
    this.resumes = new Counter({
      name: 'decentra_gateway_resumes_total',
      help: 'Resume attempts by outcome: resumed, invalid_session (unknown, another login), too_late (expired, events dropped)',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['resumed', 'invalid_session', 'too_late'] satisfies ResumeOutcome[]) {
      this.resumes.inc({ outcome }, 0);
    }
    this.events = new Counter({
      name: 'decentra_gateway_events_dispatched_total',
      help: 'Event frames numbered for gateway sessions (one per recipient session)',
      registers,
    });
    this.slowConsumers = new Counter({
      name: 'decentra_gateway_slow_consumer_closes_total',
      help: 'Sockets closed with 4011 for holding too much unsent output',
      registers,
    });
    this.groupCommits = new Histogram({
      name: 'decentra_group_commit_messages',
      help: 'Messages written by one group commit (one INSERT, one commit)',
      buckets: [1, 2, 5, 10, 20, 50, 100],
      registers,
    });
    this.queries = new Histogram({
      name: 'decentra_db_query_seconds',
      help: 'Database query time, as the driver saw it (round trip included)',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.busLag = new Histogram({
      name: 'decentra_bus_lag_seconds',
      help: 'From a Redis bus publish (on any instance) to its arrival here, by the two wall clocks',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
  }

  /** The gateway's sessions hook: an identify begins a session. */
  readonly onSessionsChanged = (change: SessionsChange): void => {
    if (change.reason === 'identify') this.identifies.inc();
  };

  resume(outcome: ResumeOutcome): void {
    this.resumes.inc({ outcome });
  }

  dispatched(copies: number): void {
    if (copies > 0) this.events.inc(copies);
  }

  slowConsumerClosed(): void {
    this.slowConsumers.inc();
  }

  readonly groupCommit = (rows: number): void => {
    this.groupCommits.observe(rows);
  };

  readonly query = (seconds: number): void => {
    this.queries.observe(seconds);
  };

  readonly busLagged = (seconds: number): void => {
    this.busLag.observe(seconds);
  };

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
