import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as WireDates from "../../src/internal/wireDates.js"

const iso = (value: DateTime.Utc | undefined) => value === undefined ? undefined : DateTime.formatIso(value)

describe("wireDates", () => {
  it("reads DD/MM/YYYY day first, and refuses what is not a calendar day", () => {
    expect(iso(WireDates.dayMonthYear("11/08/2025"))).toBe("2025-08-11T00:00:00.000Z")
    expect(iso(WireDates.dayMonthYear("1/8/2025"))).toBe("2025-08-01T00:00:00.000Z")
    expect(WireDates.dayMonthYear("31/02/2025")).toBeUndefined()
    expect(WireDates.dayMonthYear("29/02/2023")).toBeUndefined()
    expect(iso(WireDates.dayMonthYear("29/02/2024"))).toBe("2024-02-29T00:00:00.000Z")
    expect(WireDates.dayMonthYear("08/13/2025")).toBeUndefined()
    // parse by field, never sniff: an ISO day in a DD/MM/YYYY field is not a date
    expect(WireDates.dayMonthYear("2025-08-11")).toBeUndefined()
    for (const odd of ["", null, undefined, 11082025, "11/08/2025 ", "11-08-2025"]) {
      expect(WireDates.dayMonthYear(odd)).toBeUndefined()
    }
  })

  it("reads YYYY-MM-DD and YYYY-MM", () => {
    expect(iso(WireDates.isoDate("2025-11-03"))).toBe("2025-11-03T00:00:00.000Z")
    expect(WireDates.isoDate("2025-11-31")).toBeUndefined()
    expect(WireDates.isoDate("11/03/2025")).toBeUndefined()
    expect(WireDates.yearMonth("2025-08")).toEqual({ year: 2025, month: 8 })
    expect(WireDates.yearMonth("2025-13")).toBeUndefined()
    expect(WireDates.yearMonth("Aug-2025")).toBeUndefined()
  })

  it("reads naive timestamps as UTC, and statement timestamps with either zone form", () => {
    expect(iso(WireDates.naiveDateTime("2025-11-13 07:48:34"))).toBe("2025-11-13T07:48:34.000Z")
    expect(WireDates.naiveDateTime("2025-11-13 24:00:00")).toBeUndefined()
    expect(WireDates.naiveDateTime("2025-11-13")).toBeUndefined()
    expect(iso(WireDates.timestamp("2025-11-13 06:48:43.660968+00:00"))).toBe("2025-11-13T06:48:43.660Z")
    expect(iso(WireDates.timestamp("2025-11-13T06:48:43.660968Z"))).toBe("2025-11-13T06:48:43.660Z")
    expect(iso(WireDates.timestamp("2025-11-13T12:18:43+05:30"))).toBe("2025-11-13T06:48:43.000Z")
    expect(iso(WireDates.timestamp("2025-11-13 06:48:44"))).toBe("2025-11-13T06:48:44.000Z")
    expect(WireDates.timestamp("2025-11-13T06:48:43+25:00")).toBeUndefined()
  })

  it("reads month names and two-digit years with the %y pivot", () => {
    expect(WireDates.monthYear("Aug-2025")).toEqual({ year: 2025, month: 8 })
    expect(WireDates.monthYear("aug-2025")).toEqual({ year: 2025, month: 8 })
    expect(WireDates.monthYear("Aug-25")).toBeUndefined()
    expect(WireDates.monthShortYear("Nov-25")).toEqual({ year: 2025, month: 11 })
    expect(WireDates.monthShortYear("Dec-99")).toEqual({ year: 1999, month: 12 })
    expect(WireDates.monthShortYear("Jan-68")).toEqual({ year: 2068, month: 1 })
    expect(WireDates.monthShortYear("Foo-25")).toBeUndefined()
    expect(iso(WireDates.dayMonthNameShortYear("14-Aug-25"))).toBe("2025-08-14T00:00:00.000Z")
    expect(WireDates.dayMonthNameShortYear("31-Sep-25")).toBeUndefined()
    expect(iso(WireDates.dayMonthNameYear("11-Aug-2025"))).toBe("2025-08-11T00:00:00.000Z")
    expect(WireDates.dayMonthNameYear("11-Aug-25")).toBeUndefined()
  })

  it("writes DD/MM/YYYY from a Date in UTC and from a DateTime in its own zone", () => {
    expect(WireDates.formatDayMonthYear(new Date("2025-08-11"))).toBe("11/08/2025")
    expect(WireDates.formatDayMonthYear(new Date("2025-08-11T23:30:00Z"))).toBe("11/08/2025")
    expect(WireDates.formatDayMonthYear(new Date("not a date"))).toBeUndefined()
    expect(WireDates.formatDayMonthYear(DateTime.unsafeMake("2025-01-05T00:00:00Z"))).toBe("05/01/2025")
    const kolkata = DateTime.unsafeMakeZoned("2025-08-10T20:00:00Z", { timeZone: "Asia/Kolkata" })
    expect(WireDates.formatDayMonthYear(kolkata)).toBe("11/08/2025")
  })

  it("reads a pre-signed link's expiry from its query, and nothing else", () => {
    const sigV4 = "https://b.s3.amazonaws.com/r.xlsx?X-Amz-Date=20251201T072844Z&X-Amz-Expires=3600&X-Amz-Signature=ab"
    expect(iso(WireDates.presignedExpiry(sigV4))).toBe("2025-12-01T08:28:44.000Z")
    expect(iso(WireDates.presignedExpiry("https://b.s3.amazonaws.com/r.pdf?Expires=1764577724&Signature=x")))
      .toBe("2025-12-01T08:28:44.000Z")
    expect(WireDates.presignedExpiry("https://b.s3.amazonaws.com/r.xlsx")).toBeUndefined()
    expect(WireDates.presignedExpiry("https://b/r?X-Amz-Date=2025-12-01&X-Amz-Expires=3600")).toBeUndefined()
    expect(WireDates.presignedExpiry("https://b/r?X-Amz-Date=20251201T072844Z&X-Amz-Expires=-1")).toBeUndefined()
    expect(WireDates.presignedExpiry("not a url")).toBeUndefined()
  })
})
