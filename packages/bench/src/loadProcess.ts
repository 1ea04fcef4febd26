/**
 * The load generator, in a process of its own: autocannon posting valid
 * `ENRICHMENT_NOTIFICATION` bodies, each for a session of its own (so none is answered as a
 * duplicate), for each run in turn. Reports requests per second and latency per run.
 */
import autocannon from "autocannon"

export interface Run {
  readonly url: string
  readonly seconds: number
  readonly connections: number
}

export interface Report {
  /** Mean requests per second over the run. */
  readonly requestsPerSecond: number
  /** Requests answered in the run. */
  readonly requests: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Answers other than 2xx, and connection errors or timeouts. */
  readonly failures: number
}

const runs = JSON.parse(process.argv[2]!) as ReadonlyArray<Run>
let n = 0
const body = () =>
  JSON.stringify({
    session_id: `bench-${process.pid}-${n++}`,
    event_name: "ENRICHMENT_NOTIFICATION",
    insights_available: true,
    accounts: [{
      bank_name: "hdfc",
      account_id: "a-1",
      account_status: "completed",
      error_code: "",
      error_message: "",
      name: "ASHA RAO",
      account_category: "individual",
      attempt_types: ["PDF"]
    }]
  })

const load = async (run: Run): Promise<Report> => {
  const result = await autocannon({
    url: run.url,
    connections: run.connections,
    duration: run.seconds,
    requests: [{
      method: "POST",
      headers: { "content-type": "application/json" },
      setupRequest: (request) => ({ ...request, body: body() })
    }]
  })
  return {
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors + result.timeouts
  }
}

const reports: Array<Report> = []
for (const run of runs) reports.push(await load(run))
process.send?.(reports)
