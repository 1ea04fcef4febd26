/**
 * The banks the simulator knows: the catalogue call's list, and what `bank_name` may be.
 *
 * @internal
 */
export interface Bank {
  /** The API's lower-case id (`bank_name` elsewhere). */
  readonly id: string
  readonly fullName: string
  readonly npciCode: string | null
  readonly pdf: boolean
  readonly netBanking: boolean
  readonly aa: boolean
}

const bank = (id: string, fullName: string, npciCode: string | null, netBanking = true, aa = true): Bank => ({
  id,
  fullName,
  npciCode,
  pdf: true,
  netBanking,
  aa
})

/** @internal */
export const banks: ReadonlyArray<Bank> = [
  bank("sbi", "State Bank of India", "SBIN"),
  bank("hdfc", "HDFC Bank", "HDFC"),
  bank("icici", "ICICI Bank", "ICIC"),
  bank("axis", "Axis Bank", "UTIB"),
  bank("kotak", "Kotak Mahindra Bank", "KKBK"),
  bank("pnbindia", "Punjab National Bank", "PUNB"),
  bank("bob", "Bank of Baroda", "BARB"),
  bank("canara", "Canara Bank", "CNRB"),
  bank("union", "Union Bank of India", "UBIN"),
  bank("indusind", "IndusInd Bank", "INDB"),
  bank("yesbnk", "Yes Bank", "YESB"),
  bank("idfc", "IDFC FIRST Bank", "IDFB"),
  bank("federal", "Federal Bank", "FDRL"),
  bank("iob", "Indian Overseas Bank", "IOBA", true, false),
  bank("indianbnk", "Indian Bank", "IDIB"),
  bank("boi", "Bank of India", "BKID"),
  bank("central", "Central Bank of India", "CBIN", false, true),
  bank("uco", "UCO Bank", "UCBA", true, false),
  bank("rbl", "RBL Bank", "RATN"),
  bank("aubank", "AU Small Finance Bank", "AUBL", false, true),
  bank("ujjivan", "Ujjivan Small Finance Bank", null, false, false)
]

const byId = new Map(banks.map((b) => [b.id, b]))

/** The bank with this name, in any letter case. @internal */
export const find = (name: string): Bank | undefined => byId.get(name.trim().toLowerCase())

/** The bank's full name, or the id itself for one the catalogue does not have. @internal */
export const fullName = (id: string): string => byId.get(id)?.fullName ?? id

/**
 * The catalogue call's body.
 *
 * @internal
 */
export const catalogueBody = (logoBase: string) => ({
  count: banks.length,
  banks: banks.map((b) => ({
    name: b.id.toUpperCase(),
    full_name: b.fullName,
    npci_code: b.npciCode,
    logo_url: `${logoBase}/${b.id}.png`,
    is_pdf_upload_available: b.pdf,
    is_net_banking_available: b.netBanking,
    is_aa_available: b.aa
  }))
})
