// SPDX-License-Identifier: Apache-2.0
#include "LdapModify.h"

#include "AttributeCatalog.h"
#include "LdapEscape.h"
#include "LdapHandles.h"
#include "LdapLogging.h"

#include <QSet>
#include <QStringDecoder>

#include <ldap.h>

#include <deque>
#include <unordered_map>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPollSlice{100}; // how often a waiting run looks at cancel()

// The LDAPMod array of one request in storage it owns; the bervals point into the request's QByteArrays,
// which outlive the ldap_modify_ext call (libldap encodes the whole request before it returns).
class ModifyArray final {
public:
    explicit ModifyArray(const ModifyRequest& request)
    {
        size_t valueCount = 0;
        size_t groups = 0;
        for (const AttributeChange& change : request.changes) {
            valueCount += size_t(change.oldValues.size() + change.newValues.size());
            groups += (change.oldValues.isEmpty() ? 0 : 1) + (change.newValues.isEmpty() ? 0 : 1);
        }
        // Reserved up front: the pointers taken below must never move.
        m_values.reserve(valueCount);
        m_valuePointers.reserve(valueCount + groups);
        m_mods.reserve(groups);
        m_names.reserve(request.changes.size());
        for (const AttributeChange& change : request.changes) {
            // The catalog's spelling: whyModifyRefused made sure there is one.
            const auto id = AttributeCatalog::byLdapName(QByteArrayView(change.attribute));
            const QLatin1StringView name = AttributeCatalog::spec(*id).ldapName;
            const QByteArray& stored = m_names.emplace_back(name.data(), name.size());
            if (!change.oldValues.isEmpty())
                addGroup(LDAP_MOD_DELETE, stored, change.oldValues);
            if (!change.newValues.isEmpty())
                addGroup(LDAP_MOD_ADD, stored, change.newValues);
        }
        for (LDAPMod& mod : m_mods)
            m_modPointers.push_back(&mod);
        m_modPointers.push_back(nullptr);
    }
    ModifyArray(const ModifyArray&) = delete;
    ModifyArray& operator=(const ModifyArray&) = delete;

    LDAPMod** get() { return m_modPointers.data(); }

private:
    void addGroup(int operation, const QByteArray& name, const QByteArrayList& values)
    {
        berval** first = m_valuePointers.data() + m_valuePointers.size();
        for (const QByteArray& value : values) {
            m_values.push_back(berval{static_cast<ber_len_t>(value.size()), const_cast<char*>(value.constData())});
            m_valuePointers.push_back(&m_values.back());
        }
        m_valuePointers.push_back(nullptr);
        LDAPMod mod{};
        mod.mod_op = operation | LDAP_MOD_BVALUES;
        mod.mod_type = const_cast<char*>(name.constData());
        mod.mod_bvalues = first;
        m_mods.push_back(mod);
    }

    std::vector<QByteArray> m_names;
    std::vector<berval> m_values;
    std::vector<berval*> m_valuePointers;
    std::vector<LDAPMod> m_mods;
    std::vector<LDAPMod*> m_modPointers;
};

QString dnForMessage(const QByteArray& dn)
{
    // '%' as RFC 4514's \25 names the same DN and keeps QString::arg() away from it.
    return QString::fromUtf8(dn).replace(u'%', u"\\25"_s);
}

} // namespace

QLatin1StringView modifyOutcomeKindName(ModifyOutcomeKind kind)
{
    switch (kind) {
    case ModifyOutcomeKind::Applied:
        return "applied"_L1;
    case ModifyOutcomeKind::Conflict:
        return "conflict"_L1;
    case ModifyOutcomeKind::Error:
        return "error"_L1;
    case ModifyOutcomeKind::Refused:
        return "refused"_L1;
    case ModifyOutcomeKind::Unknown:
        return "unknown"_L1;
    case ModifyOutcomeKind::NotSent:
        return "notSent"_L1;
    }
    return "unknown"_L1;
}

std::optional<QString> whyModifyRefused(const ModifyRequest& request)
{
    const QString dn = dnForMessage(request.dn);
    if (request.dn.isEmpty() || request.dn.contains('\0') || !parseDn(request.dn))
        return u"\"%1\" is not a distinguished name, so Sunset does not send a change for it."_s.arg(dn);
    if (request.changes.empty())
        return u"%1: the change holds no attribute to write."_s.arg(dn);

    QSet<int> seen;
    for (const AttributeChange& change : request.changes) {
        const QString name = QString::fromUtf8(change.attribute);
        const auto id = change.attribute.contains(';') ? std::nullopt
                                                       : AttributeCatalog::byLdapName(QByteArrayView(change.attribute));
        if (!id) {
            return u"%1: %2 is not an attribute of Sunset's catalog. Sunset writes only the catalog attributes "
                   "marked writable, so nothing of this change is sent."_s.arg(dn, name);
        }
        const AttributeSpec& spec = AttributeCatalog::spec(*id);
        if (!spec.writableBySunset) {
            return u"%1: %2 is not written back by Sunset (the catalog marks it read-only), so nothing of this "
                   "change is sent."_s.arg(dn, QString(spec.ldapName));
        }
        if (seen.contains(int(*id)))
            return u"%1: %2 appears twice in the change."_s.arg(dn, QString(spec.ldapName));
        seen.insert(int(*id));
        if (change.oldValues.isEmpty() && change.newValues.isEmpty())
            return u"%1: the change of %2 has neither old nor new values."_s.arg(dn, QString(spec.ldapName));
        if (!spec.multiValued && (change.oldValues.size() > 1 || change.newValues.size() > 1)) {
            return u"%1: %2 holds one value, but the change has %3 old and %4 new values."_s.arg(
                dn, QString(spec.ldapName), QString::number(change.oldValues.size()),
                QString::number(change.newValues.size()));
        }
        for (const QByteArrayList* values : {&change.oldValues, &change.newValues}) {
            const QLatin1StringView which = values == &change.oldValues ? "old"_L1 : "new"_L1;
            QSet<QString> folded;
            for (const QByteArray& value : *values) {
                if (value.isEmpty()) {
                    return u"%1: an empty %2 value of %3; AD holds no empty values (to clear the attribute, give "
                           "no new values)."_s.arg(dn, which, QString(spec.ldapName));
                }
                if (value.contains('\0')) {
                    // No AD string value holds NUL, and a server may cut a filter's escaped \00 there (Samba
                    // does), so a search for such a value would find the value before it.
                    return u"%1: a %2 value of %3 contains a NUL byte; AD string values hold none."_s.arg(
                        dn, which, QString(spec.ldapName));
                }
                QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
                const QString text = decoder(value);
                if (decoder.hasError())
                    return u"%1: a %2 value of %3 is not valid UTF-8."_s.arg(dn, which, QString(spec.ldapName));
                // AD compares these syntaxes case-insensitively: "smtp:a@x" and "SMTP:a@x" are the same value.
                const QString key = text.toCaseFolded();
                if (folded.contains(key)) {
                    return u"%1: the %2 values of %3 hold \"%4\" twice (AD compares them ignoring case)."_s.arg(
                        dn, which, QString(spec.ldapName), text);
                }
                folded.insert(key);
            }
        }
    }
    return std::nullopt;
}

ModifyOutcomeKind classifyModifyResult(int ldapResultCode, QStringView serverMessage)
{
    switch (ldapResultCode) {
    case LDAP_SUCCESS:
        return ModifyOutcomeKind::Applied;
    case LDAP_NO_SUCH_ATTRIBUTE:
    case LDAP_TYPE_OR_VALUE_EXISTS:
    case LDAP_NO_SUCH_OBJECT:
        return ModifyOutcomeKind::Conflict;
    case LDAP_CONSTRAINT_VIOLATION:
        return serverMessage.trimmed().startsWith(u"00002081"_s) ? ModifyOutcomeKind::Conflict
                                                                 : ModifyOutcomeKind::Error;
    default:
        return ModifyOutcomeKind::Error;
    }
}

std::optional<QString> ApprovedModify::whyNotApproved(const ModifyRequest& request, const Facts& facts)
{
    const QString dn = dnForMessage(request.dn);
    switch (facts.batchState) {
    case BatchState::Approved:
    case BatchState::Applying:
    case BatchState::Partial: // resumed: its approval stands for the objects never sent
        break;
    case BatchState::Planned:
    case BatchState::Applied:
    case BatchState::Cancelled:
        return u"%1: batch %2 is %3, and Sunset writes only the changes of an approved batch. Nothing of this change "
               "is sent; review and approve the batch first."_s.arg(dn)
            .arg(facts.batchId)
            .arg(facts.batchState == BatchState::Planned     ? "not approved"_L1
                 : facts.batchState == BatchState::Applied   ? "already applied"_L1
                                                             : "cancelled"_L1);
    }
    if (!facts.cloudManaged) {
        return u"%1: the mailbox is not marked cloud-managed in batch %2, so its Exchange attributes are still owned "
               "on-premises and Sunset does not write them. Nothing of this change is sent; switch the mailbox to "
               "cloud management, scan again and plan a new batch."_s.arg(dn)
            .arg(facts.batchId);
    }
    // (The request's shape, an empty change included, is whyModifyRefused's: the pipeline checks it before sending.)
    for (const AttributeChange& change : request.changes) {
        const auto id = change.attribute.contains(';') ? std::nullopt
                                                       : AttributeCatalog::byLdapName(QByteArrayView(change.attribute));
        if (!id) {
            return u"%1: %2 is not an attribute of Sunset's catalog. Sunset writes only the catalog attributes "
                   "marked writable, so nothing of this change is sent."_s.arg(dn, QString::fromUtf8(change.attribute));
        }
        if (const AttributeSpec& spec = AttributeCatalog::spec(*id); !spec.writableBySunset) {
            return u"%1: %2 is not written back by Sunset (the catalog marks it read-only), so nothing of this "
                   "change is sent."_s.arg(dn, QString(spec.ldapName));
        }
    }
    return std::nullopt;
}

Expected<ApprovedModify, QString> ApprovedModify::approve(ModifyRequest request, const Facts& facts)
{
    if (auto why = whyNotApproved(request, facts)) {
        qCInfo(lcLdap) << "write refused:" << *why;
        return std::move(*why);
    }
    return ApprovedModify(std::move(request));
}

LdapModifyPipeline::LdapModifyPipeline(LdapConnection& connection, ModifyPipelineOptions options)
    : m_connection(connection)
    , m_options(options)
{
    m_options.window = std::max(1, m_options.window);
    if (m_options.operationTimeout <= std::chrono::milliseconds::zero())
        m_options.operationTimeout = connection.options().operationTimeout;
}

LdapModifyPipeline::~LdapModifyPipeline() = default;

void LdapModifyPipeline::cancel()
{
    m_cancelled.store(true, std::memory_order_relaxed);
}

ModifyRunStats LdapModifyPipeline::run(std::span<const ApprovedModify> modifies, const ModifyOutcomeHandler& onOutcome,
                                       const ModifyProgressHandler& progress)
{
    // What is sent: only approved modifies (ApprovedModify::approve) reach here; indexed as their requests.
    struct Requests {
        std::span<const ApprovedModify> all;
        size_t size() const { return all.size(); }
        const ModifyRequest& operator[](size_t i) const { return all[i].request(); }
    };
    const Requests requests{modifies};
    ModifyRunStats stats;
    stats.total = qint64(requests.size());
    const QString host = m_connection.host();

    const auto deliver = [&](const ModifyRequest& request, ModifyOutcomeKind kind, LdapError error = {}) {
        switch (kind) {
        case ModifyOutcomeKind::Applied:
            ++stats.applied;
            break;
        case ModifyOutcomeKind::Conflict:
            ++stats.conflicts;
            break;
        case ModifyOutcomeKind::Error:
            ++stats.errors;
            break;
        case ModifyOutcomeKind::Refused:
            ++stats.refused;
            break;
        case ModifyOutcomeKind::Unknown:
            ++stats.unknown;
            break;
        case ModifyOutcomeKind::NotSent:
            ++stats.notSent;
            break;
        }
        ++stats.completed;
        if (kind != ModifyOutcomeKind::Applied)
            qCDebug(lcLdap) << "modify" << request.id << modifyOutcomeKindName(kind) << error.toString();
        if (onOutcome)
            onOutcome(ModifyOutcome{request.id, kind, std::move(error)});
        if (progress && !progress(stats))
            cancel();
    };
    const auto ownError = [](LdapErrorCode code, QString message) {
        LdapError e;
        e.code = code;
        e.message = std::move(message);
        return e;
    };
    const auto writingTo = [&](const ModifyRequest& request) {
        return u"Writing to %1 on %2: "_s.arg(dnForMessage(request.dn), host);
    };

    struct InFlight {
        size_t index;
        Clock::time_point deadline;
    };
    std::unordered_map<int, InFlight> inFlight;
    std::deque<std::pair<Clock::time_point, int>> deadlines; // in send order, which is deadline order
    size_t next = 0;
    bool lost = false;
    QString lostBecause;

    LDAP* const ld = m_connection.handle();
    if (!ld) {
        for (const ApprovedModify& modify : modifies) {
            const ModifyRequest& request = modify.request();
            deliver(request, ModifyOutcomeKind::NotSent,
                    ownError(LdapErrorCode::ServerUnreachable,
                             writingTo(request) + u"not sent: there is no connection (connect and bind first)."_s));
        }
        return stats;
    }

    // Every outstanding request: Unknown, with why.
    const auto settleOutstanding = [&](const QString& why) {
        std::vector<size_t> indexes;
        for (const auto& [msgid, flight] : inFlight)
            indexes.push_back(flight.index);
        std::sort(indexes.begin(), indexes.end()); // send order: stable outcomes for the same event
        inFlight.clear();
        deadlines.clear();
        for (size_t index : indexes) {
            deliver(requests[index], ModifyOutcomeKind::Unknown,
                    ownError(LdapErrorCode::ServerUnreachable, writingTo(requests[index]) + why));
        }
    };
    const auto connectionFailed = [&](int rc) {
        lost = true;
        stats.connectionLost = true;
        lostBecause = rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR
                          ? u"the connection to %1 was lost"_s.arg(host)
                          : u"the connection to %1 failed (%2)"_s.arg(host, QString::fromUtf8(ldap_err2string(rc)));
        settleOutstanding(lostBecause + u" before the server answered; re-read the object to know whether it "
                                        "was applied."_s);
    };

    const auto classify = [&](const ModifyRequest& request, LDAPMessage* message) {
        int resultCode = LDAP_OTHER;
        char* matchedRaw = nullptr;
        char* diagnosticRaw = nullptr;
        char** referralsRaw = nullptr;
        const int rc =
            ldap_parse_result(ld, message, &resultCode, &matchedRaw, &diagnosticRaw, &referralsRaw, nullptr, 0);
        const LdapStringPtr matched(matchedRaw);
        const LdapStringPtr diagnostic(diagnosticRaw);
        const LdapStringsPtr referrals(referralsRaw);
        if (rc != LDAP_SUCCESS) {
            // An answer came, but Sunset cannot read it: whether it was applied is not known.
            deliver(request, ModifyOutcomeKind::Unknown,
                    ownError(LdapErrorCode::InvalidResponse,
                             writingTo(request) + u"the server's answer could not be decoded (%1); re-read the "
                                                  "object to know whether it was applied."_s.arg(
                                                      QString::fromUtf8(ldap_err2string(rc)))));
            return;
        }
        const QString serverMessage = diagnosticRaw ? QString::fromUtf8(diagnosticRaw).trimmed() : QString();
        const ModifyOutcomeKind kind = classifyModifyResult(resultCode, serverMessage);
        if (kind == ModifyOutcomeKind::Applied) {
            deliver(request, ModifyOutcomeKind::Applied);
            return;
        }
        LdapError e = m_connection.errorFor(resultCode, u"Writing to %1 on %2"_s.arg(dnForMessage(request.dn), u"%1"_s),
                                            serverMessage);
        e.serverMessage = serverMessage;
        QString why; // for a conflict
        switch (resultCode) {
        case LDAP_NO_SUCH_ATTRIBUTE:
            why = u"a value Sunset read is no longer there"_s;
            break;
        case LDAP_TYPE_OR_VALUE_EXISTS:
            why = u"a value Sunset would add is already there"_s;
            break;
        case LDAP_NO_SUCH_OBJECT:
            why = u"the object no longer exists under this name (deleted, renamed or moved)"_s;
            break;
        default:
            why = u"a single-valued attribute that Sunset read empty holds a value now"_s;
            break;
        }
        if (kind == ModifyOutcomeKind::Conflict) {
            e.message = writingTo(request) + why +
                        u": someone changed it since Sunset read it. The server wrote "
                        "nothing of this change; re-read the object and review the "
                        "change again."_s;
            deliver(request, ModifyOutcomeKind::Conflict, std::move(e));
            return;
        }
        if (resultCode == LDAP_REFERRAL) {
            QStringList where;
            for (char** r = referralsRaw; r && *r; ++r)
                where << QString::fromUtf8(*r);
            e.message = writingTo(request) + u"this domain controller cannot write the object and refers to %1 "
                                             "(a read-only domain controller, or an object of another domain). "
                                             "Connect to a writable domain controller of the object's domain."_s.arg(
                                                 where.isEmpty() ? u"another server"_s : where.join(u", "_s));
        }
        e.message += u" Nothing of this change was written."_s;
        deliver(request, ModifyOutcomeKind::Error, std::move(e));
    };

    while (stats.completed < stats.total) {
        const bool cancelled = m_cancelled.load(std::memory_order_relaxed);
        if (lost || cancelled) {
            stats.cancelled = stats.cancelled || (cancelled && !lost);
            if (lost)
                settleOutstanding(lostBecause + u" before the server answered; re-read the object to know "
                                                "whether it was applied."_s);
            else if (!m_options.waitForOutstandingOnCancel && !inFlight.empty()) {
                for (const auto& [msgid, flight] : inFlight)
                    ldap_abandon_ext(ld, msgid, nullptr, nullptr);
                settleOutstanding(u"the run was cancelled and the request abandoned before the server answered; "
                                  "the server may still have applied it: re-read the object to know."_s);
            }
            if (inFlight.empty()) {
                const QString why = lost ? lostBecause + u" before its turn"_s : u"the run was cancelled"_s;
                for (; next < requests.size(); ++next) {
                    deliver(requests[next], ModifyOutcomeKind::NotSent,
                            ownError(lost ? LdapErrorCode::ServerUnreachable : LdapErrorCode::Cancelled,
                                     writingTo(requests[next]) + u"not sent: "_s + why +
                                         u". Nothing of it was written."_s));
                }
                break;
            }
        }

        // Fill the window.
        while (!lost && !m_cancelled.load(std::memory_order_relaxed) && next < requests.size() &&
               inFlight.size() < size_t(m_options.window)) {
            const ModifyRequest& request = requests[next];
            if (const auto refusal = whyModifyRefused(request)) {
                ++next;
                deliver(request, ModifyOutcomeKind::Refused, ownError(LdapErrorCode::Other, *refusal));
                continue;
            }
            ModifyArray mods(request);
            int msgid = 0;
            const int rc = ldap_modify_ext(ld, request.dn.constData(), mods.get(), nullptr, nullptr, &msgid);
            if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR) {
                // libldap could not write it: the request did not reach the server. It goes NotSent with the
                // rest. (Were it to have arrived after all, sending it again is a conflict, not a second write.)
                connectionFailed(rc);
                break;
            }
            ++next;
            if (rc != LDAP_SUCCESS) {
                LdapError e = m_connection.errorFor(rc, u"Writing to %1 on %2"_s.arg(dnForMessage(request.dn), u"%1"_s),
                                                    QString());
                e.message += u" It was not sent."_s;
                deliver(request, ModifyOutcomeKind::Error, std::move(e));
                continue;
            }
            ++stats.sent;
            const auto deadline = Clock::now() + m_options.operationTimeout;
            inFlight.emplace(msgid, InFlight{next - 1, deadline});
            deadlines.emplace_back(deadline, msgid);
        }
        if (lost || inFlight.empty())
            continue; // settles the rest, or ends

        // Wait for one answer, at most until the nearest deadline or the next look at cancel().
        while (!deadlines.empty() && !inFlight.count(deadlines.front().second))
            deadlines.pop_front();
        const auto now = Clock::now();
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(deadlines.front().first - now);
        wait = std::clamp(wait, std::chrono::milliseconds(0), kPollSlice);
        timeval timeout{};
        timeout.tv_sec = static_cast<time_t>(wait.count() / 1000);
        timeout.tv_usec = static_cast<suseconds_t>((wait.count() % 1000) * 1000);
        LDAPMessage* raw = nullptr;
        const int type = ldap_result(ld, LDAP_RES_ANY, LDAP_MSG_ONE, &timeout, &raw);
        const MessagePtr message(raw);
        if (type < 0) {
            int rc = LDAP_SERVER_DOWN;
            ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &rc);
            connectionFailed(rc);
            continue;
        }
        if (type == 0) {
            // Operations past their deadline: abandoned, Unknown (the server may yet apply them).
            const auto expiredAt = Clock::now();
            while (!deadlines.empty() && deadlines.front().first <= expiredAt) {
                const int msgid = deadlines.front().second;
                deadlines.pop_front();
                const auto it = inFlight.find(msgid);
                if (it == inFlight.end())
                    continue;
                const size_t index = it->second.index;
                inFlight.erase(it);
                ldap_abandon_ext(ld, msgid, nullptr, nullptr);
                deliver(requests[index], ModifyOutcomeKind::Unknown,
                        ownError(LdapErrorCode::TimeLimitExceeded,
                                 writingTo(requests[index]) +
                                     u"no answer within %1 s; the server may still apply it: re-read the object "
                                     "to know whether it was applied."_s.arg(
                                         double(m_options.operationTimeout.count()) / 1000.0)));
            }
            continue;
        }
        if (type == LDAP_RES_EXTENDED && ldap_msgid(message.get()) == 0) {
            // An unsolicited notification: AD's notice of disconnection before it closes the connection.
            connectionFailed(LDAP_SERVER_DOWN);
            continue;
        }
        if (type != LDAP_RES_MODIFY)
            continue;
        const auto it = inFlight.find(ldap_msgid(message.get()));
        if (it == inFlight.end())
            continue; // an answer to an operation already settled (abandoned after its deadline)
        const size_t index = it->second.index;
        inFlight.erase(it);
        classify(requests[index], message.get());
    }

    if (stats.connectionLost)
        m_connection.connectionLost();
    if (stats.connectionLost || stats.unknown > 0 || stats.cancelled) {
        qCInfo(lcLdap) << "modify run on" << host << ":" << stats.applied << "applied," << stats.conflicts
                       << "conflicts," << stats.errors << "errors," << stats.refused << "refused," << stats.unknown
                       << "unknown," << stats.notSent << "not sent" << (stats.connectionLost ? "(connection lost)" : "")
                       << (stats.cancelled ? "(cancelled)" : "");
    }
    return stats;
}

ModifyOutcome modifyEntry(LdapConnection& connection, const ApprovedModify& modify)
{
    ModifyOutcome result;
    LdapModifyPipeline pipeline(connection, ModifyPipelineOptions{1, {}, true});
    pipeline.run(std::span<const ApprovedModify>(&modify, 1), [&](const ModifyOutcome& outcome) { result = outcome; });
    return result;
}

} // namespace sunset
