/** The seed's progress body, with `statements` statements, every stage at `status`. */
export const progressBody = (statements: number, status: "completed" | "processing" = "completed") =>
  JSON.stringify({
    session_id: "bfb98ac5-7224-401b-a643-175235856187",
    session_progress: status,
    progress: Array.from({ length: statements }, (_, i) => ({
      identity_status: status,
      transaction_status: status,
      processing_status: status,
      fraud_status: status,
      statement_id: `4164bc05-7b3f-4a5c-8e31-${String(i).padStart(12, "0")}`,
      message: null,
      source: "pdf"
    }))
  })

/**
 * What a careful hand-written loop checks before trusting a progress body (the baselines'
 * stand-in for the library's decoding); whether the session is complete.
 */
export const checkProgress = (json: unknown): boolean => {
  const body = json as { session_id?: unknown; session_progress?: unknown; progress?: unknown }
  if (
    typeof body.session_id !== "string" || typeof body.session_progress !== "string" || !Array.isArray(body.progress)
  ) {
    throw new Error("unexpected body")
  }
  return body.session_progress === "completed"
}
