import Foundation
import GRDB

/// Inserts responses through one prepared statement, storing column for column what
/// `ResponseRecord.insert` stores, without the Codable machinery's cost per row (bulk imports).
struct ResponseInserter {
    private static let columns = [
        "runID", "modelID", "probeID", "sampleIndex", "parameters", "parametersKey", "origin", "status", "turns",
        "error", "finishReason", "promptTokens", "completionTokens", "requestBody", "responseBody", "requestHash",
        "responseBodyHash", "source", "startedAt", "finishedAt", "latencyMilliseconds", "contentHash", "createdAt",
    ]
    private let database: Database
    /// One statement per set of non-NULL columns (a bit per column): left-out columns are NULL,
    /// and with at most 20 arguments GRDB binds strings without copying them.
    private var statements: [UInt32: Statement] = [:]
    /// Dates as GRDB stores them; imports give every response the same creation time.
    private var lastDate: (date: Date, value: DatabaseValue)?

    init(_ db: Database) {
        database = db
    }

    /// The JSON columns of a response as GRDB's Codable insert writes them, computed apart so that a
    /// bulk import can encode them before it takes the store's write lock.
    struct JSONColumns: Sendable {
        let parameters: String
        let turns: String

        init(parameters: SamplingParameters, turns: [String]) {
            // GRDB writes Codable JSON columns with its default JSONEncoder: sorted keys, "/" escaped.
            var parametersJSON = CanonicalJSONWriter(escapesSlashes: true, capacity: 64)
            parametersJSON.parameters(parameters)
            var turnsJSON = CanonicalJSONWriter(escapesSlashes: true, capacity: turns.reduce(16) { $0 + $1.utf8.count + 8 })
            turnsJSON.strings(turns)
            self.parameters = parametersJSON.string
            self.turns = turnsJSON.string
        }
    }

    /// Inserts `record` (its `id` is ignored) and returns the new row's id; `json`, when given, must be
    /// `JSONColumns(parameters: record.parameters, turns: record.turns)`.
    mutating func insert(_ record: ResponseRecord, json: JSONColumns? = nil) throws -> Int64 {
        let json = json ?? JSONColumns(parameters: record.parameters, turns: record.turns)
        let values: [DatabaseValue] = [
            record.runID.databaseValue, record.modelID.databaseValue, record.probeID.databaseValue,
            record.sampleIndex.databaseValue, json.parameters.databaseValue, record.parametersKey.databaseValue,
            record.origin.rawValue.databaseValue, record.status.rawValue.databaseValue, json.turns.databaseValue,
            record.error.databaseValue, record.finishReason.databaseValue, record.promptTokens.databaseValue,
            record.completionTokens.databaseValue, record.requestBody.databaseValue, record.responseBody.databaseValue,
            record.requestHash.databaseValue, record.responseBodyHash.databaseValue, record.source.databaseValue,
            date(record.startedAt), date(record.finishedAt), record.latencyMilliseconds.databaseValue,
            record.contentHash.databaseValue, date(record.createdAt),
        ]
        var present: UInt32 = 0
        for (index, value) in values.enumerated() where !value.isNull { present |= 1 << UInt32(index) }
        try statement(for: present).execute(arguments: StatementArguments(values.filter { !$0.isNull }))
        return database.lastInsertedRowID
    }

    private mutating func statement(for present: UInt32) throws -> Statement {
        if let statement = statements[present] { return statement }
        let columns = Self.columns.indices.filter { present & (1 << UInt32($0)) != 0 }.map { Self.columns[$0] }
        let statement = try database.makeStatement(sql: """
            INSERT INTO response (\(columns.joined(separator: ", "))) VALUES (\(databaseQuestionMarks(count: columns.count)))
            """)
        statements[present] = statement
        return statement
    }

    private mutating func date(_ date: Date?) -> DatabaseValue {
        guard let date else { return .null }
        if let lastDate, lastDate.date == date { return lastDate.value }
        let value = date.databaseValue
        lastDate = (date, value)
        return value
    }
}
