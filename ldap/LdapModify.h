// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "ImportError.h"
#include "LdapConnection.h"
#include "WritebackBatch.h"
#include "platform/BackgroundTask.h"

#include <QByteArray>
#include <QByteArrayList>
#include <QString>

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace sunset {

// Writes to AD: optimistic, atomic modifies of one object each, pipelined over one connection.
//
// Each request is ONE LDAP modify operation. Per attribute it deletes the exact values Sunset read (when there
// were any) and adds the new ones (when there are any), in that order, in the same operation. LDAP applies a
// modify whole or not at all (RFC 4511 4.6), so when anyone changed a value since the read the server refuses
// (noSuchAttribute: a value to delete is gone; attributeOrValueExists: a value is already there, or a
// single-valued attribute got a value) and nothing of the request is written. That refusal is a Conflict,
// never an Error, and never retried here.
//
// What the check does and does not see, as AD (and Samba) behave:
// - Unicode String attributes (extensionAttributeN, msExchExtensionCustomAttributeN, proxyAddresses, mail)
//   match case-insensitively, so a change by someone else that only changed letter case is not a conflict;
//   the batch layer's byte-exact re-read before apply covers that.
// - For a multi-valued attribute, a value someone ADDED since the read survives the modify (only deletions
//   of read values are checked). For a single-valued one the add of the new value fails instead (conflict).
// - Deleting a value of a single-valued attribute by value works in AD and Samba, so single- and multi-valued
//   attributes are written the same way; "no old values" is an add only, "no new values" a delete only.

// One attribute of a request. Values are bytes, sent byte-exact (leading/trailing spaces, non-ASCII UTF-8).
struct AttributeChange {
    QByteArray attribute;     // LDAP name of a catalog attribute that is writableBySunset
    QByteArrayList oldValues; // exactly as read; empty when the attribute had none
    QByteArrayList newValues; // what it should hold; empty clears it
};

// One object's changes: sent as one modify operation.
struct ModifyRequest {
    quint64 id = 0; // the caller's (a journal row): outcomes carry it back
    QByteArray dn;  // as read (UTF-8 string form)
    std::vector<AttributeChange> changes;
};

// A modify Sunset may send to AD: one object's change from a batch that is approved (being applied, or a partial
// one resumed), every attribute a catalog attribute Sunset writes, the mailbox cloud-managed. Only approve() makes
// one, and the pipeline sends nothing else: those three guards hold at the LDAP layer's entry point whoever calls
// it (GUI, CLI, a future caller), not only in the screens that build batches. The facts come from the history's
// rows as stored; models/ and the history decide them, this layer refuses what they do not vouch for.
class ApprovedModify final {
public:
    struct Facts {
        qint64 batchId = 0;
        BatchState batchState = BatchState::Planned; // the batch's state as stored now
        bool cloudManaged = false;                   // every change row of the object says so
    };

    // The modify, or why Sunset refuses to send it (for an admin: names the object, the batch and the fix).
    static Expected<ApprovedModify, QString> approve(ModifyRequest request, const Facts& facts);
    // nullopt when approve() would accept.
    static std::optional<QString> whyNotApproved(const ModifyRequest& request, const Facts& facts);

    const ModifyRequest& request() const { return m_request; }
    quint64 id() const { return m_request.id; }

private:
    explicit ApprovedModify(ModifyRequest request) : m_request(std::move(request)) {}
    ModifyRequest m_request;
};

enum class ModifyOutcomeKind : quint8 {
    Applied,  // the server confirmed it: every change of the request is written
    Conflict, // the object changed since the read (or is gone); the server wrote nothing
    Error,    // the server refused for another reason (access, constraint, busy, ...); it wrote nothing
    Refused,  // Sunset refused it before sending (malformed, not a writable catalog attribute); nothing sent
    Unknown,  // sent, but no answer came (connection lost, timeout, abandoned): re-read to know
    NotSent,  // never sent (connection lost or cancelled before its turn): safe to send later
};
QLatin1StringView modifyOutcomeKindName(ModifyOutcomeKind kind);

struct ModifyOutcome {
    quint64 id = 0;
    ModifyOutcomeKind kind = ModifyOutcomeKind::NotSent;
    // Empty for Applied. Otherwise: message for an admin; ldapResultCode and serverMessage as the server sent
    // them (Conflict, Error), 0 and empty when Sunset decided (Refused, Unknown, NotSent).
    LdapError error;
};

struct ModifyRunStats {
    qint64 total = 0;
    qint64 sent = 0;
    qint64 completed = 0; // outcomes delivered, of any kind
    qint64 applied = 0;
    qint64 conflicts = 0;
    qint64 errors = 0;
    qint64 refused = 0;
    qint64 unknown = 0;
    qint64 notSent = 0;
    bool connectionLost = false;
    bool cancelled = false;
};

// Why a request would be refused before sending, or nullopt when it may be sent. Checks: a parsable DN; at
// least one change; each attribute a catalog attribute that is writableBySunset, named without options and
// only once; no empty value; no value twice among the old or among the new values (case-insensitively, as
// AD compares them); at most one new value for a single-valued attribute.
std::optional<QString> whyModifyRefused(const ModifyRequest& request);

// How a server's answer to a sent modify is classed (Applied, Conflict or Error), from its LDAP result code and
// diagnostic. Conflicts: noSuchAttribute (16), attributeOrValueExists (20), noSuchObject (32: deleted, renamed
// or moved), and AD's constraintViolation (19) with ERROR_DS_SINGLE_VALUE_CONSTRAINT ("00002081: AtrErr ..."),
// which AD answers where Samba answers 20 when a single-valued attribute already holds a value (Sunset never
// sends two values for one, so only a value set since the read causes it).
ModifyOutcomeKind classifyModifyResult(int ldapResultCode, QStringView serverMessage);

using ModifyOutcomeHandler = std::function<void(const ModifyOutcome& outcome)>;
// After each outcome; returning false cancels (as cancel()).
using ModifyProgressHandler = std::function<bool(const ModifyRunStats& stats)>;

struct ModifyPipelineOptions {
    int window = 32; // modify operations outstanding at once (>= 1)
    // How long one operation may wait for its answer; 0: the connection's operationTimeout. An operation
    // without an answer in time is abandoned and comes back Unknown (the server may still apply it).
    std::chrono::milliseconds operationTimeout{0};
    // On cancel: wait for the outstanding operations' answers (true), or abandon them (Unknown).
    bool waitForOutstandingOnCancel = true;
};

// Sends approved modifies over a bound connection, keeping up to `window` of them outstanding, and delivers
// each outcome (with the request's id) in the order the server answers. Runs on the calling thread, which
// owns the connection; cancel() may be called from any thread.
//
// If the connection drops, every outstanding request comes back Unknown and every request not yet sent comes
// back NotSent: nothing is guessed. The connection is then closed (isConnected() is false); connect and bind
// again before the next run.
class LdapModifyPipeline final {
public:
    explicit LdapModifyPipeline(LdapConnection& connection, ModifyPipelineOptions options = {});
    ~LdapModifyPipeline();
    LdapModifyPipeline(const LdapModifyPipeline&) = delete;
    LdapModifyPipeline& operator=(const LdapModifyPipeline&) = delete;

    // Sends every request and returns when each has exactly one outcome (delivered to onOutcome).
    // Each is checked again (whyModifyRefused) just before it is sent; a refused one comes back Refused.
    ModifyRunStats run(std::span<const ApprovedModify> modifies, const ModifyOutcomeHandler& onOutcome,
                       const ModifyProgressHandler& progress = {});

    // Stop sending: requests not yet sent come back NotSent; outstanding ones are awaited or abandoned
    // (options). Thread-safe; takes effect within about 100 ms.
    void cancel();

private:
    LdapConnection& m_connection;
    ModifyPipelineOptions m_options;
    CancelFlag m_cancelled{false}; // the one cancel-flag type (platform/BackgroundTask.h)
};

// The synchronous twin: one request, one outcome.
ModifyOutcome modifyEntry(LdapConnection& connection, const ApprovedModify& modify);

} // namespace sunset
