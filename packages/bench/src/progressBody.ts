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
