// Response bodies typed by hand from the documentation's examples (finbox-in/documentation:
// 2025 = HEAD, 2024 = 29eeff3, May-24 = a003d52), with their broken JSON repaired (the upload
// status' missing `{`, the 2024 session status' trailing comma, the 2025 insights' missing
// `],`) and trimmed. Report links carry a fake security token, so that tests can look for it.

export const fakeToken = "FAKE-STS-TOKEN-a1b2c3"

export const reportUrl = (path: string, signedAt = "20251201T072844Z", expires = "3600") =>
  `https://bank-connect-reports-prod.s3.amazonaws.com/${path}?response-content-disposition=attachment` +
  `&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA5FOA3EKY32WPE5ET%2F20251201%2Fap-south-1%2Fs3%2Faws4_request` +
  `&X-Amz-Date=${signedAt}&X-Amz-Expires=${expires}&X-Amz-SignedHeaders=host&X-Amz-Security-Token=${fakeToken}` +
  `&X-Amz-Signature=484c914742abfedfc088718fcaa4a3798c452d5a6d07df7eb506d89b883a1590`

// ---- upload status (§1) ----

export const uploadStatus2025 = {
  session_id: "136b1aa3-4610-4d0a-89f3-03078a2fce92",
  session_date_range: { from_date: "11/08/2025", to_date: "11/11/2025" },
  upload_status: "COMPLETED",
  session_expiry_timestamp: "2025-11-13 07:48:34",
  accounts: [{
    account_id: "d35b9df1-871d-43d1-b6c1-67ded2c2e8e5",
    account_number: "924010040573135",
    bank_name: "axis",
    full_bank_name: "Axis Bank",
    name: "",
    account_type: "",
    account_status: "PARTIAL",
    months: ["2025-08", "2025-09", "2025-10", "2025-11"],
    missing_data: [{ from_date: "2025-11-03", to_date: "2025-11-11" }],
    created_at: "2025-11-13 06:48:44",
    last_updated_at: "2025-11-13 06:49:04",
    statements: [{
      statement_id: "bc04560a-d06c-4a51-b412-031b692ecf6f",
      statement_status: "completed",
      error_code: null,
      error_message: null,
      source: "pdf",
      upload_file_name: "168c64e6-3d12-40c0-9ffb-2c02d59fe84c_axis.pdf",
      statement_date_range: { from_date: "11/08/2025", to_date: "10/11/2025" },
      created_at: "2025-11-13 06:48:43.660968+00:00"
    }]
  }],
  error: {}
}

export const uploadStatus2024 = {
  session_id: "",
  session_date_range: { from_date: "", to_date: "" },
  upload_status: "IN_PROGRESS",
  accounts: [{
    account_id: "8702145a-aaa3-4ee0-acb7-9a328b54905a",
    account_number: "XXXXXXXXXX",
    bank_name: "icici",
    account_status: "COMPLETED",
    months: [],
    created_at: "2024-04-16 07:47:42",
    last_updated_at: "2024-04-16 07:48:21",
    statements: [{
      statement_id: "567700a6-570d-4f75-ae60-d79357dabdb4",
      statement_status: "completed",
      error_code: "",
      error_message: "",
      source: "pdf",
      statement_date_range: { from_date: "", to_date: "" },
      created_at: "2024-04-16T07:47:40.806223Z"
    }]
  }]
}

// ---- session status (§3) ----

export const sessionStatus2025Failed = {
  session_id: "c282b2cd-9f87-4ba9-9f73-964bdbd1263b",
  insights_available: false,
  accounts: [{
    name: "XXXXXXXX",
    account_category: "individual",
    account_id: "64d79813-d882-4c15-9ced-383e463678f8",
    account_number: "XXXXXXXXXXX3135",
    bank_name: "iob",
    error_code: "UNPARSABLE",
    error_message: "Failed to process because of an unparsable statement",
    account_status: "failed",
    created_at: "2025-11-13 07:35:33",
    last_updated_at: "2025-11-13 07:35:47",
    statements: [{
      statement_id: "dd144ba8-0074-4175-b3e1-d4fac903d989",
      statement_status: "completed",
      error_code: null,
      error_message: null,
      source: "pdf",
      upload_file_name: "86d0c187-8d87-48ca-86d7-1e90ed17a748_iob.pdf",
      statement_date_range: { from_date: "01/05/2025", to_date: "11/11/2025" },
      created_at: "2025-11-13T07:35:31.956654Z"
    }],
    attempt_types: ["PDF"],
    account_type: "SAVINGS",
    full_bank_name: "Indian Overseas Bank"
  }]
}

export const sessionStatus2025Completed = {
  session_id: "136b1aa3-4610-4d0a-89f3-03078a2fce92",
  insights_available: true,
  accounts: [{
    name: "XXXXXXXX",
    account_category: "individual",
    account_id: "d35b9df1-871d-43d1-b6c1-67ded2c2e8e5",
    account_number: "XXXXXXXXXXX3135",
    bank_name: "axis",
    error_code: null,
    error_message: null,
    account_status: "completed",
    created_at: "2025-11-13 06:48:44",
    last_updated_at: "2025-11-13 06:53:29",
    statements: [{
      statement_id: "bc04560a-d06c-4a51-b412-031b692ecf6f",
      statement_status: "completed",
      error_code: null,
      error_message: null,
      source: "pdf",
      upload_file_name: "168c64e6-3d12-40c0-9ffb-2c02d59fe84c_axis.pdf",
      statement_date_range: { from_date: "11/08/2025", to_date: "10/11/2025" },
      created_at: "2025-11-13T06:48:43.660968Z"
    }],
    attempt_types: ["PDF"],
    account_type: "SAVINGS",
    full_bank_name: "Axis Bank"
  }]
}

/** The 2024 form: no insights_available, no account details, every statement field null. */
export const sessionStatus2024 = {
  session_id: "uuid4_for_session",
  accounts: [{
    bank_name: "sbi",
    account_number: null,
    account_id: "account_uuid4",
    account_status: "completed",
    error_code: null,
    error_message: null,
    created_at: null,
    last_updated_at: null,
    statements: [{
      statement_id: null,
      statement_status: null,
      error_code: null,
      error_message: null,
      source: null,
      created_at: null
    }]
  }]
}

// ---- insights (§4) ----

export const txn2025 = (overrides: Record<string, unknown> = {}) => ({
  transaction_type: "credit",
  transaction_note: "MUTHOOT FINANCE/GOLDEN GROWTH MAY 2025",
  chq_num: "",
  amount: 1609.0,
  balance: 1614.0,
  date: "2025-08-11 00:00:00",
  hash: "46c183428a4a30cd190d2a5dd5bbccd8",
  category: "Loan Disbursed",
  metadata: { unclean_merchant: "MUTHOOT FINANCE", transaction_channel: "Other", description: "lender_transaction" },
  ...overrides
})

export const flatTxn = (overrides: Record<string, unknown> = {}) => ({
  transaction_type: "debit",
  transaction_note: "UPI/P2A/686081232265/DHARANI SIVAKUMAR /UPI/State Bank Of India",
  amount: 10000.0,
  balance: 244.0,
  date: "2025-08-14 00:00:00",
  transaction_channel: "upi",
  hash: "5979a716dac6d357887134b9e1293f09",
  merchant_category: "",
  description: "Transfer to DHARANI SIVAKUMAR",
  category: "Transfer to DHARANI SIVAKUMAR",
  ...overrides
})

export const insights2025 = () => ({
  session_id: "136b1aa3-4610-4d0a-89f3-03078a2fce92",
  link_id: "test_docs",
  session_date_range: { from_date: "2025-08-11", to_date: "2025-11-11" },
  accounts: [{
    account_id: "d35b9df1-871d-43d1-b6c1-67ded2c2e8e5",
    data: {
      account_details: {
        name: "ANANDA P",
        address: "S/O: PALANI SWAMY, BANGALORE 560062",
        metadata_analysis: { name_matches: [] },
        account_category: "individual",
        account_number: "924010040573135",
        account_opening_date: null,
        bank: "axis",
        credit_limit: 0.0,
        ifsc: "UTIB0000009",
        micr: "560211002",
        missing_data: [{ from_date: "2025-11-03", to_date: "2025-11-11" }],
        od_limit: 0.0,
        salary_confidence: 100.0,
        statements: ["bc04560a-d06c-4a51-b412-031b692ecf6f"],
        months: ["2025-08", "2025-09", "2025-10", "2025-11"],
        uploaded_months: ["2025-08", "2025-09", "2025-10", "2025-11"],
        country_code: "IN",
        currency_code: "INR",
        dob: "",
        email: "",
        pan_number: "CUPPA9744J",
        phone_number: "XXXXXX8641",
        account_status: "",
        holder_type: "",
        account_date_range: { from_date: "2025-08-11", to_date: "2025-11-10" },
        transaction_date_range: { from_date: "2025-08-11", to_date: "2025-11-03" }
      },
      fraud: [],
      fraud_details: { statement: [], account: [] },
      transactions: [
        txn2025(),
        txn2025({
          transaction_type: "debit",
          transaction_note: "UPI/P2A/268652272235/ANANDA P /UPI/INDIAN OVERSEAS BANK",
          amount: 1370.0,
          balance: 244.0,
          hash: "39155d99e3c6925007ab626be6d536f5",
          category: "Self Transfer",
          metadata: { unclean_merchant: "ANANDA P", transaction_channel: "upi", description: "self_transfer" }
        })
      ],
      salary_transactions: [
        txn2025({
          transaction_note: "MUTHOOT FINANCE/MUTHOOT SALARY AUGUST 2025",
          amount: 24193.0,
          balance: 24203.0,
          date: "2025-08-30 00:00:00",
          hash: "d131ce6801670d6435d4420b94fcea60",
          category: "Salary",
          employer_name: null,
          salary_month: "Aug-2025",
          metadata: { unclean_merchant: "MUTHOOT FINANCE", transaction_channel: "salary", description: "Transfer" }
        })
      ],
      recurring_transactions: {
        debit_transactions: [{
          account_id: "d35b9df1-871d-43d1-b6c1-67ded2c2e8e5",
          transaction_channel: "UPI",
          clean_transaction_note: "DHARANI SIVAKUMAR STATE INDIA",
          median: 5000.0,
          start_date: "2025-08-14 00:00:00",
          end_date: "2025-08-30 00:00:00",
          transactions: [flatTxn(), flatTxn({ amount: 500.0, balance: 200.0, date: "2025-08-26 00:00:00" })]
        }],
        credit_transactions: []
      },
      lender_transactions: [
        flatTxn({
          transaction_type: "credit",
          chq_num: "",
          merchant_category: "loans",
          description: "lender_transaction"
        })
      ],
      top_credits_debits: [
        {
          type: "top_5_debit",
          data: [{ month: "Aug-25", data: [txn2025({ transaction_type: "debit", date: "14-Aug-25" })] }]
        },
        { type: "top_5_credit", data: [{ month: "Aug-25", data: [txn2025({ date: "30-Aug-25" })] }] }
      ],
      statement_stats: [{
        session_id: "136b1aa3-4610-4d0a-89f3-03078a2fce92",
        account_id: "d35b9df1-871d-43d1-b6c1-67ded2c2e8e5",
        statement_id: "bc04560a-d06c-4a51-b412-031b692ecf6f",
        first_transaction_timestamp: "2025-08-11 00:00:00",
        last_transaction_timestamp: "2025-11-03 00:00:00",
        bank: "axis",
        source: "PDF",
        upload_file_name: "168c64e6-3d12-40c0-9ffb-2c02d59fe84c_axis.pdf",
        page_count: 3,
        transaction_count: 50,
        from_date: "2025-08-11 00:00:00",
        to_date: "2025-11-10 00:00:00",
        is_scanned_pdf: false
      }],
      expense_categories: [{ category: "Transfers", percentage: 66 }, { category: "Cash", percentage: 31 }],
      self_and_sister_transactions: [flatTxn({ chq_num: "", description: "self_transfer", category: "Self Transfer" })],
      bounced_or_penal_transactions: [],
      monthly_analysis: {
        opening_balance: { "Aug-2025": 5.0 },
        closing_balance: { "Aug-2025": 3903.0, "Sep-2025": null },
        no_of_days_to_serve_cc_interest: { "Aug-2025": "0" },
        start_date: { "Aug-2025": "11-Aug-2025" },
        loan_emi: { bajajfi: [{ date: "2024-04-02 00:00:00", amount: 2176 }] }
      },
      predictors: {
        month_0: "Nov-25",
        month_1: "Oct-25",
        month_4: null,
        income_0: 34457.0,
        income_1: null,
        author_fraud: false,
        bank_connect_status: "Verified",
        salary_confidence_v2: "Very High",
        start_date: "11-Aug-25",
        avg_of_avg_monthly_bal_12months: 339.66
      },
      eod_balances: {
        Months_order: ["Aug-25", "Sep-25"],
        start_date: ["11-Aug-25", "01-Sep-25"],
        "Aug-25": [null, null, null, null, null, null, null, null, null, null, 5.0, 5.0, 244.0],
        "Sep-25": [244.0, null],
        starting_balance: 5.0
      },
      score: 496.0,
      xlsx_report_url: reportUrl("account_report_d35b9df1-871d-43d1-b6c1-67ded2c2e8e5.xlsx")
    }
  }],
  aggregate_monthly_analysis: { closing_balance: { "Aug-2025": 3903.0 } },
  aggregate_xlsx_report_url: reportUrl("entity_report_136b1aa3-4610-4d0a-89f3-03078a2fce92.xlsx"),
  aggregate_xml_report_url: reportUrl("xml_report/entity_report_136b1aa3-4610-4d0a-89f3-03078a2fce92.xml")
})

/** The 2024 form: integers where 2025 has floats, no metadata, no link_id, six start dates for seven months. */
export const insights2024 = () => ({
  session_id: "9ea02597-6d10-4f52-ab6b-59f169e60b29",
  accounts: [{
    account_id: "005b6fec-cea6-4973-afbe-9cd2a04e1a76",
    data: {
      account_details: {
        name: "GYANVATI",
        address: "BHOPAL MADHYA PRADESH,INDIA 462041",
        metadata_analysis: { name_matches: [] },
        account_category: "individual",
        account_number: "XXXXXXXX09335",
        account_opening_date: null,
        bank: "baroda",
        credit_limit: 0,
        ifsc: "BARB0VJBHOP",
        micr: "462012046",
        missing_data: [
          { from_date: "2023-01-11", to_date: "2024-03-23" },
          { from_date: "2024-05-23", to_date: "2024-07-01" }
        ],
        od_limit: 0,
        salary_confidence: 100,
        statements: ["0893fb2e-59fb-41e4-9205-a7b3968f4e01", "99561b2e-9e8d-4666-b745-0f23e2207ba7"],
        months: ["2024-03", "2024-04", "2024-05", "2024-07", "2024-08", "2024-09"],
        country_code: "IN",
        currency_code: "INR",
        dob: "",
        email: "",
        pan_number: "",
        phone_number: "",
        account_status: "",
        holder_type: "",
        account_date_range: { from_date: "2024-03-23", to_date: "2024-09-14" }
      },
      fraud: [
        {
          statement_id: "99561b2e-9e8d-4666-b745-0f23e2207ba7",
          fraud_type: "author_fraud",
          transaction_hash: null,
          fraud_category: "metadata"
        },
        {
          statement_id: null,
          fraud_type: "inconsistent_transaction",
          transaction_hash: "e3b833f17b070684ac584cf9a6a91e21",
          fraud_category: "accounting"
        }
      ],
      transactions: [{
        transaction_type: "credit",
        transaction_note: "UPI/408322055426/14:48:39/UPI/7985030976@paytm /Se",
        chq_num: "",
        amount: 2000,
        balance: 2165.9,
        date: "2024-03-23 00:00:00",
        hash: "e0552267d2be69a67a70c6c14a31286e",
        category: "Others"
      }],
      salary_transactions: [{
        transaction_type: "credit",
        transaction_note: "NEFT/418472622001/11:02:41/AADHAR HOUSING FINANCE LIMITED/SALARY FOR THE MONTH",
        chq_num: "",
        amount: 51200,
        balance: 69296.2,
        date: "2024-07-02 00:00:00",
        hash: "2106c36aba59b5d5b64e5feef6d396d4",
        category: "Salary",
        employer_name: null,
        salary_month: "Jun-2024"
      }],
      recurring_transactions: {
        debit_transactions: [{
          account_id: "005b6fec-cea6-4973-afbe-9cd2a04e1a76",
          transaction_channel: "AUTO_DEBIT_PAYMENT",
          clean_transaction_note: "6261915580",
          median: 16000,
          start_date: "2024-07-03 00:00:00",
          end_date: "2024-09-03 00:00:00",
          transactions: [{
            transaction_type: "debit",
            transaction_note: "ACHDR/RAZORPAYSOFTWAREPRIV/5720781074/1 10459347208",
            amount: 16000,
            balance: 4596.2,
            date: "2024-07-03 00:00:00",
            transaction_channel: "auto_debit_payment",
            hash: "ecb563adad4463a17be164f11e94e3f6",
            merchant_category: "loans",
            description: "lender_transaction",
            category: "Loan"
          }]
        }],
        credit_transactions: []
      },
      lender_transactions: [{
        transaction_type: "debit",
        transaction_note: "ACHDR/BAJAJ FINANCE LTD/2405055143/110349431404",
        chq_num: "",
        amount: 2176,
        balance: 3984.9,
        date: "2024-04-02 00:00:00",
        transaction_channel: "auto_debit_payment",
        hash: "b94ab6fa6791e9197a9d3faff8558f28",
        merchant_category: "loans",
        description: "lender_transaction",
        category: "Loan"
      }],
      top_credits_debits: [{ type: "top_5_debit", data: [{ month: "Jun-24", data: [] }] }],
      statement_stats: [{
        session_id: "9ea02597-6d10-4f52-ab6b-59f169e60b29",
        account_id: "005b6fec-cea6-4973-afbe-9cd2a04e1a76",
        statement_id: "0893fb2e-59fb-41e4-9205-a7b3968f4e01",
        first_transaction_timestamp: "2024-03-23 00:00:00",
        last_transaction_timestamp: "2024-05-23 00:00:00",
        bank: "baroda",
        source: "PDF",
        page_count: 20,
        transaction_count: 416,
        from_date: "2024-03-23 00:00:00",
        to_date: "2024-05-23 00:00:00"
      }],
      expense_categories: [{ category: "Transfers", percentage: 78 }],
      monthly_analysis: { opening_balance: { "Mar-2024": 165.9, "Apr-2024": 6158.9 } },
      predictors: { accountnumber: "XXXXXXXX009335", ccod_limit: 0, month_0: "Sep-24", month_1: "Aug-24" },
      eod_balances: {
        Months_order: ["Mar-24", "Apr-24", "May-24", "Jun-24", "Jul-24", "Aug-24", "Sep-24"],
        start_date: ["23-Mar-24", "02-Apr-24", "01-May-24", "01-Jul-24", "01-Aug-24", "01-Sep-24"],
        "Mar-24": [null, null, 10, 12.5],
        "Jun-24": [],
        starting_balance: 165.9
      },
      score: 655,
      xlsx_report_url: reportUrl("account_report_005b6fec-cea6-4973-afbe-9cd2a04e1a76.xlsx", "20241107T065422Z")
    }
  }],
  aggregate_xlsx_report_url: reportUrl("entity_report_9ea02597.xlsx", "20241107T065422Z")
})

/** The May-24 form: only session_id and accounts, a per-account XML link, null chq_num / ifsc / micr. */
export const insightsMay24 = () => ({
  session_id: "fdf6fe90-c1a0-41f7-964f-bb2425975309",
  accounts: [{
    account_id: "8cdcf3f2-e4ba-4be8-b0eb-bc619c6cc753",
    data: {
      account_details: {
        account_category: "savings",
        account_number: "1234567890",
        account_opening_date: null,
        bank: "central",
        name: "ABCD ENTERPRISES",
        address: "ABCD Nagar",
        credit_limit: 0,
        ifsc: null,
        micr: null,
        missing_data: [{ from_date: "2024-02-21", to_date: "2024-04-21" }],
        od_limit: 0,
        salary_confidence: null,
        statements: ["036917f1-06dc-44c1-8f40-509c3a6093aa"],
        months: ["2023-10", "2023-11"],
        country_code: "IN",
        currency_code: "INR",
        metadata_analysis: { name_matches: [] }
      },
      fraud: [{
        statement_id: "036917f1-06dc-44c1-8f40-509c3a6093aa",
        fraud_type: "author_fraud",
        transaction_hash: null,
        fraud_category: "metadata"
      }],
      transactions: [{
        transaction_type: "credit",
        transaction_note: "UPI~1234567890~swiggystores@icici~Swiggy-1234567890qwertyuiop",
        chq_num: null,
        amount: 6500.0,
        balance: 6500.94,
        date: "2023-11-05 00:00:00",
        hash: "4ce4c53c266511d3f4270e7bf98756fc",
        category: "Food"
      }],
      top_credits_debits: [{
        type: "top_5_debit",
        data: [{
          month: "Oct-23",
          data: [{
            transaction_type: "debit",
            transaction_note: "IMP-334925115915-9999999999-1234567890qwertyuiop -RBL BANK -salary",
            chq_num: null,
            amount: 10890.0,
            balance: 10955.62,
            date: "2023-12-15 00:00:00",
            hash: "57977dd68368daf5309a6c126a778606",
            category: "Salary"
          }]
        }]
      }],
      predictors: { month_0: "Feb-24", average_balance_0: 1234.5 },
      xlsx_report_url: reportUrl("account_report_8cdcf3f2.xlsx", "20240520T101010Z"),
      xml_report_url: reportUrl("xml_report/account_report_8cdcf3f2.xml", "20240520T101010Z")
    }
  }]
})

// ---- get PDFs, catalogue, create and upload ----

export const pdfs = {
  statements: [
    {
      statement_id: "statement_uuid4_here",
      bank_name: "axis",
      pdf_password: null,
      pdf_url: reportUrl("statements/statement_uuid4_here.pdf"),
      account_id: "account_uuid4_here",
      source: "PDF",
      message: "Success"
    },
    {
      statement_id: "9d75da22-bfe0-43b5-9018-535bc6b203f6",
      bank_name: "sbi",
      pdf_password: "",
      pdf_url: "",
      account_id: "246ab76a-9081-4882-9a8c-11d76fbd2b9d",
      source: "PDF",
      message: "Password Incorrect"
    },
    {
      statement_id: "7c0f2b3e-0000-4000-8000-000000000000",
      bank_name: "hdfc",
      pdf_password: "hunter2-pdf",
      pdf_url: reportUrl("statements/7c0f2b3e.pdf"),
      account_id: "246ab76a-9081-4882-9a8c-11d76fbd2b9d",
      source: "PDF",
      message: "Keyword Not Present"
    }
  ]
}

export const catalogue = {
  count: 492,
  banks: [
    {
      name: "SBI",
      full_name: "State Bank of India",
      npci_code: "SBIN",
      logo_url: "https://cdn.example/sbi.png",
      is_pdf_upload_available: true,
      is_net_banking_available: true,
      is_aa_available: true
    },
    {
      name: "AXIS",
      full_name: "Axis Bank",
      logo_url: "https://cdn.example/axis.png",
      is_pdf_upload_available: true,
      is_net_banking_available: false,
      is_aa_available: false
    },
    {
      name: "IOB",
      full_name: "Indian Overseas Bank",
      npci_code: "",
      logo_url: null,
      is_pdf_upload_available: true,
      is_net_banking_available: null,
      is_aa_available: true,
      is_new_field: "extra"
    }
  ]
}

export const createdSession = {
  session_id: "8d5ea22b-216a-4fe2-90da-65d1c67c8964",
  redirect_url: "https://bankconnectclient.finbox.in/?session_id=8d5ea22b-216a-4fe2-90da-65d1c67c8964"
}

export const uploadedStatement = {
  bank_name: "hdfc",
  statement_id: "601f775d-0bee-4817-8469-2f87c02a32e7",
  page_count: 17,
  identity: {
    account_number: "45678090383737",
    name: "XXXXXXXXXX XXXXXX",
    address: "94 LEBRUA . . hgsdgsdfasyt, HP",
    ifsc: "HDFC000XXX",
    micr: "1102400XX",
    account_category: "individual",
    credit_limit: 0,
    od_limit: 0,
    account_id: "f4f41ec9-af9a-4c4d-8bb6-eaa07f7b49c5",
    bank_name: "hdfc"
  },
  date_range: { from_date: "2023-12-01", to_date: "2024-03-05" },
  opening_date: null,
  opening_bal: null,
  closing_bal: null,
  is_fraud: false,
  fraud_type: null,
  metadata_analysis: { name_matches: [] },
  country_code: "IN",
  currency_code: "INR",
  extracted_date_range: { from_date: "2023-12-01", to_date: "2024-03-05" },
  account_id: "f4f41ec9-af9a-4c4d-8bb6-eaa07f7b49c5",
  masked_account_number: "XXXXXXXXXXXXXX",
  months: ["2023-12", "2024-01", "2024-02", "2024-03"],
  missing_months: ["2023-11", "2024-04"],
  status: 1,
  session_id: "0d10ab33-1c36-471a-9aba-2885c0c103ae"
}
