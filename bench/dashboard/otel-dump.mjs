// Preloaded into an example API by bench/dashboard/render.mjs (node --import): registers the
// OpenTelemetry metrics SDK with an in-memory exporter, and on SIGTERM writes every metric bulwark
// recorded to the JSON file named by DASHBOARD_METRICS, then exits.
import { writeFileSync } from 'node:fs';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';

const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

process.once('SIGTERM', async () => {
  await reader.forceFlush();
  const points = exporter.getMetrics().flatMap((rm) =>
    rm.scopeMetrics.flatMap((sm) =>
      sm.metrics.flatMap((m) =>
        m.dataPoints.map((p) => ({
          name: m.descriptor.name,
          unit: m.descriptor.unit,
          attributes: p.attributes,
          value: p.value,
        })),
      ),
    ),
  );
  writeFileSync(process.env.DASHBOARD_METRICS, JSON.stringify(points, null, 1));
  process.exit(0);
});
