// Prometheus metrics in the text exposition format (version 0.0.4), kept in a small
// registry. Pure apart from nothing: rendering is a string.
export type Labels = Record<string, string | number>;

interface Family {
  help: string;
  type: "gauge" | "counter";
  samples: Map<string, { labels: Labels; value: number }>;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(String(labels[k]))}"`)
    .join(",");
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();

  private family(name: string, type: Family["type"], help: string): Family {
    if (!NAME.test(name)) throw new Error(`invalid metric name '${name}'`);
    let f = this.families.get(name);
    if (f === undefined) {
      f = { help, type, samples: new Map() };
      this.families.set(name, f);
    } else if (f.type !== type) {
      throw new Error(`metric '${name}' is a ${f.type}, not a ${type}`);
    }
    return f;
  }

  /** Sets a gauge sample. */
  set(name: string, help: string, labels: Labels, value: number): void {
    this.family(name, "gauge", help).samples.set(labelKey(labels), { labels, value });
  }

  /** Adds to a counter sample (counters only go up). */
  inc(name: string, help: string, labels: Labels, by = 1): void {
    const f = this.family(name, "counter", help);
    const key = labelKey(labels);
    const cur = f.samples.get(key)?.value ?? 0;
    f.samples.set(key, { labels, value: cur + Math.max(0, by) });
  }

  /** Forgets every sample of a gauge (e.g. before re-filling it from a new round). */
  clear(name: string): void {
    this.families.get(name)?.samples.clear();
  }

  render(): string {
    const lines: string[] = [];
    for (const [name, f] of [...this.families].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`# HELP ${name} ${f.help.replace(/\n/g, " ")}`, `# TYPE ${name} ${f.type}`);
      for (const [key, s] of f.samples) {
        const v = Number.isFinite(s.value)
          ? String(s.value)
          : s.value > 0
            ? "+Inf"
            : s.value < 0
              ? "-Inf"
              : "NaN";
        lines.push(`${name}${key ? `{${key}}` : ""} ${v}`);
      }
    }
    return lines.join("\n") + "\n";
  }
}
