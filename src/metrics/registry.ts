/**
 * A few counters, gauges and one histogram in Prometheus' text format (version 0.0.4).
 * Written here rather than taking prom-client: this needs ~80 lines, no default process
 * metrics and no cluster aggregation, and the start-up budget has no room for a dependency
 * that is not needed. Label values come only from fixed sets (channel names, the flow's own
 * step ids), never from what a user sent: counts only.
 */
export type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  lines(): string[];
}

const key = (labels: Labels) =>
  Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(
      ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
    )
    .join(',');
const braces = (inner: string) => (inner ? `{${inner}}` : '');

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}

export interface Histogram {
  observe(value: number, labels?: Labels): void;
}

export interface Registry {
  /** `initial` label sets are shown as 0 before anything happens, so a dashboard has a line. */
  counter(name: string, help: string, initial?: Labels[]): Counter;
  gauge(name: string, help: string, read: () => number): void;
  histogram(name: string, help: string, buckets: number[]): Histogram;
  /** The exposition text, served as `text/plain; version=0.0.4`. */
  text(): string;
}

export function createRegistry(): Registry {
  const families: Family[] = [];
  const add = (family: Family) => {
    if (families.some((f) => f.name === family.name))
      throw new Error(`metric ${family.name} registered twice`);
    families.push(family);
  };
  return {
    counter(name, help, initial = [{}]) {
      const values = new Map<string, number>(initial.map((l) => [key(l), 0]));
      add({
        name,
        help,
        type: 'counter',
        lines: () => [...values].map(([l, v]) => `${name}${braces(l)} ${v}`),
      });
      return {
        inc: (labels = {}, by = 1) => {
          const k = key(labels);
          values.set(k, (values.get(k) ?? 0) + by);
        },
        get: (labels = {}) => values.get(key(labels)) ?? 0,
      };
    },
    gauge(name, help, read) {
      add({ name, help, type: 'gauge', lines: () => [`${name} ${read()}`] });
    },
    histogram(name, help, buckets) {
      const series = new Map<string, { counts: number[]; sum: number; count: number }>();
      add({
        name,
        help,
        type: 'histogram',
        lines: () =>
          [...series].flatMap(([l, s]) => [
            ...buckets.map(
              (b, i) =>
                `${name}_bucket${braces([l, `le="${b}"`].filter(Boolean).join(','))} ${s.counts[i]}`,
            ),
            `${name}_bucket${braces([l, 'le="+Inf"'].filter(Boolean).join(','))} ${s.count}`,
            `${name}_sum${braces(l)} ${s.sum}`,
            `${name}_count${braces(l)} ${s.count}`,
          ]),
      });
      return {
        observe: (value, labels = {}) => {
          const k = key(labels);
          const s = series.get(k) ?? { counts: buckets.map(() => 0), sum: 0, count: 0 };
          buckets.forEach((b, i) => {
            if (value <= b) s.counts[i] = (s.counts[i] ?? 0) + 1;
          });
          s.sum += value;
          s.count += 1;
          series.set(k, s);
        },
      };
    },
    text: () =>
      families
        .map((f) =>
          [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.lines()].join('\n'),
        )
        .join('\n') + '\n',
  };
}
