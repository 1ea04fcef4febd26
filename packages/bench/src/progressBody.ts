/** The seed's progress body, with `statements` statements. */
export const progressBody = (statements: number) =>
  JSON.stringify({
    session_id: "bfb98ac5-7224-401b-a643-175235856187",
    session_progress: "completed",
    progress: Array.from({ length: statements }, (_, i) => ({
      identity_status: "completed",
      transaction_status: "completed",
      processing_status: "completed",
      fraud_status: "completed",
      statement_id: `4164bc05-7b3f-4a5c-8e31-${String(i).padStart(12, "0")}`,
      message: null,
      source: "pdf"
    }))
  })
