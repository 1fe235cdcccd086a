// SPDX-License-Identifier: Apache-2.0
#include "LdapSearch.h"

#include "LdapErrorText.h"
#include "LdapHandles.h"
#include "ProxyAddress.h"

#include <QScopeGuard>

#include <cstring>
#include <deque>
#include <utility>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// A cookie of the paged-results control, owned.
class Cookie final {
public:
    Cookie() = default;
    ~Cookie() { ber_memfree(m_value.bv_val); }
    Cookie(const Cookie&) = delete;
    Cookie& operator=(const Cookie&) = delete;
    berval* get() { return &m_value; }
    bool isEmpty() const { return m_value.bv_len == 0; }
    void reset()
    {
        ber_memfree(m_value.bv_val);
        m_value = {0, nullptr};
    }

private:
    berval m_value{0, nullptr};
};

struct RangeOption {
    QByteArray plainName; // the attribute name without ";range=L-H"
    qint64 low = 0;
    qint64 high = 0; // -1 for "*"
};

std::optional<qint64> parseBound(QByteArrayView text)
{
    if (text == "*")
        return -1;
    bool ok = false;
    const qint64 n = text.toLongLong(&ok);
    return ok && n >= 0 && !text.isEmpty() && text[0] != '+' ? std::optional<qint64>(n) : std::nullopt;
}

// "proxyAddresses;range=0-1499" -> {"proxyAddresses", 0, 1499}; nullopt when the name has no range option.
// Malformed ranges set *malformed.
std::optional<RangeOption> parseRangeOption(QByteArrayView name, bool* malformed)
{
    *malformed = false;
    qsizetype at = name.indexOf(';');
    while (at >= 0) {
        const qsizetype next = name.indexOf(';', at + 1);
        const qsizetype end = next < 0 ? name.size() : next;
        const QByteArrayView option = name.sliced(at + 1, end - at - 1);
        if (option.size() > 6 && equalsCaseInsensitive(option.first(6), "range=")) {
            const QByteArrayView bounds = option.sliced(6);
            const qsizetype dash = bounds.indexOf('-');
            const auto low = dash <= 0 ? std::nullopt : parseBound(bounds.first(dash));
            const auto high = dash <= 0 ? std::nullopt : parseBound(bounds.sliced(dash + 1));
            if (!low || *low < 0 || !high || (*high >= 0 && *high < *low)) {
                *malformed = true;
                return std::nullopt;
            }
            RangeOption range;
            range.plainName = name.first(at).toByteArray() + name.sliced(end).toByteArray();
            range.low = *low;
            range.high = *high;
            return range;
        }
        at = next;
    }
    return std::nullopt;
}

// Sends the request for one page of the search: the first when the cookie is empty. libldap's result code.
int sendPageRequest(LDAP* ld, const LdapSearchRequest& request, berval* cookie, int* messageId)
{
    std::vector<char*> attributeList;
    for (const QByteArray& attribute : request.attributes)
        attributeList.push_back(const_cast<char*>(attribute.constData()));
    attributeList.push_back(nullptr);
    const int scope = request.scope == LdapScope::Base       ? LDAP_SCOPE_BASE
                      : request.scope == LdapScope::OneLevel ? LDAP_SCOPE_ONELEVEL
                                                             : LDAP_SCOPE_SUBTREE;
    LDAPControl* pageRaw = nullptr;
    if (request.pageSize > 0) {
        const int rc = ldap_create_page_control(ld, request.pageSize, cookie->bv_len ? cookie : nullptr, 1, &pageRaw);
        if (rc != LDAP_SUCCESS)
            return rc;
    }
    const ControlPtr pageControl(pageRaw);
    LDAPControl* serverControls[] = {pageRaw, nullptr, nullptr};
    ControlPtr showDeletedControl;
    if (request.showDeleted) {
        // LDAP_SERVER_SHOW_DELETED_OID (MS-ADTS 3.1.1.3.4.1.14): tombstones too, for the deletions an incremental
        // read must find.
        LDAPControl* raw = nullptr;
        if (const int rc = ldap_control_create("1.2.840.113556.1.4.417", 1, nullptr, 0, &raw); rc != LDAP_SUCCESS)
            return rc;
        showDeletedControl.reset(raw);
        serverControls[pageRaw ? 1 : 0] = raw;
    }
    return ldap_search_ext(ld, request.baseDn.constData(), scope, request.filter.constData(),
                           request.attributes.isEmpty() ? nullptr : attributeList.data(), 0,
                           serverControls[0] ? serverControls : nullptr, nullptr, nullptr, 0, messageId);
}

QString searchingWhat(const LdapSearchRequest& request)
{
    return u"Searching "_s + QString::fromUtf8(request.baseDn.isEmpty() ? "the root DSE" : request.baseDn);
}

} // namespace

LdapResult<void> LdapSearch::start(const LdapSearchRequest& request)
{
    if (auto connected = m_connection.connect(); !connected)
        return connected;
    berval noCookie{0, nullptr};
    int messageId = 0;
    if (const int rc = sendPageRequest(m_connection.handle(), request, &noCookie, &messageId); rc != LDAP_SUCCESS)
        return m_connection.errorFor(rc, searchingWhat(request));
    m_started = {m_connection.handle(), messageId};
    return {};
}

LdapResult<void> LdapSearch::run(const LdapSearchRequest& request, const LdapEntryHandler& onEntry,
                                 const LdapSearchProgress& progress, LdapSearchStats* stats)
{
    const QString doing = searchingWhat(request);
    if (m_started.messageId && m_started.handle != m_connection.handle()) // the connection dropped meanwhile
        return m_connection.errorFor(LDAP_SERVER_DOWN, doing);
    if (auto connected = m_connection.connect(); !connected)
        return connected;
    LDAP* const ld = m_connection.handle();
    LdapSearchStats local;
    LdapSearchStats& counts = stats ? *stats : local;
    counts = {};

    bool lost = false; // the handle is dropped on the way out, when nothing here uses it any more
    const auto dropIfLost = qScopeGuard([&] {
        if (lost)
            m_connection.connectionLost();
    });
    const auto afterEntries = [&](LdapError e) {
        if (e.code == LdapErrorCode::ServerUnreachable) {
            // It was connected when the search began: the connection dropped mid-search.
            e.message = u"%1 on %2: the connection was lost after %3 entries (%4 complete pages) had arrived, so "
                        "the search is incomplete and nothing from it was kept. Check the network path to the "
                        "domain controller and read again."_s.arg(doing, m_connection.host(), QString::number(counts.entries),
                                                                 QString::number(counts.pages));
            lost = true;
        } else if (counts.entries > 0) {
            e.message += u" The search stopped after %1 entries; nothing from it was kept."_s.arg(counts.entries);
        }
        return e;
    };

    const auto tooManyValues = [&](QByteArrayView dn) {
        return afterEntries(LdapErrorText::own(
            LdapErrorCode::SizeLimitExceeded,
            u"%1 on %2: the entry %3 has more than %4 values, the most Sunset reads for one entry; the server may "
            "be sending a range that never ends. Nothing of the search was kept; check the entry with ldapsearch."_s
                .arg(doing, m_connection.host(), QString::fromUtf8(dn), QString::number(request.maxValuesPerEntry))));
    };

    // Follows "name;range=L-H" with base-scope reads until a range ends in "*"; appends the values.
    const auto readRestOfRange = [&](const QByteArray& dn, const QByteArray& plainName, qint64 next,
                                     qint64 entryNumber) -> LdapResult<void> {
        for (;;) {
            QByteArray wanted = plainName + ";range=" + QByteArray::number(next) + '-';
            wanted += request.rangeStep > 0 ? QByteArray::number(next + request.rangeStep - 1) : QByteArray("*");
            char* attrs[] = {wanted.data(), nullptr};
            timeval timeout = toTimeval(m_connection.options().operationTimeout);
            LDAPMessage* raw = nullptr;
            const int rc = ldap_search_ext_s(ld, dn.constData(), LDAP_SCOPE_BASE, "(objectClass=*)", attrs, 0, nullptr,
                                             nullptr, &timeout, 0, &raw);
            const MessagePtr result(raw);
            ++counts.rangeReads;
            if (rc != LDAP_SUCCESS) {
                return afterEntries(
                    m_connection.errorFor(rc, u"Reading the values of %1 from %2 of %3"_s.arg(
                                     QString::fromUtf8(plainName), QString::number(next), QString::fromUtf8(dn))));
            }
            LDAPMessage* entry = ldap_first_entry(ld, result.get());
            BerElement* berRaw = nullptr;
            berval entryDn{};
            if (!entry || ldap_get_dn_ber(ld, entry, &berRaw, &entryDn) != LDAP_SUCCESS) {
                return afterEntries(
                    LdapErrorText::own(LdapErrorCode::InvalidResponse,
                                u"Reading the values of %1 of %2: the entry is gone; it was deleted "
                                "during the read."_s.arg(QString::fromUtf8(plainName), QString::fromUtf8(dn))));
            }
            const BerElementPtr ber(berRaw);
            std::optional<RangeOption> got;
            for (;;) {
                berval name{};
                berval* values = nullptr;
                if (ldap_get_attribute_ber(ld, entry, ber.get(), &name, &values) != LDAP_SUCCESS)
                    break;
                const BerValuesPtr valuesOwner(values);
                if (!name.bv_val)
                    break;
                bool malformed = false;
                auto range = parseRangeOption(QByteArrayView(name.bv_val, qsizetype(name.bv_len)), &malformed);
                if (!range || !equalsCaseInsensitive(range->plainName, plainName))
                    continue;
                const QByteArray& stored = m_scratch.emplace_back(plainName);
                for (berval* v = values; v && v->bv_val; ++v) {
                    if (qint64(m_attributes.size()) >= request.maxValuesPerEntry)
                        return tooManyValues(dn);
                    const QByteArray& value = m_scratch.emplace_back(v->bv_val, qsizetype(v->bv_len));
                    m_attributes.push_back(LdifAttribute{stored, value, entryNumber});
                }
                got = std::move(range);
                break;
            }
            if (!got && request.rangeStep > 0) // asked past the last value with an explicit upper bound
                return {};
            if (!got || got->low != next || (got->high >= 0 && got->high < next)) {
                return afterEntries(LdapErrorText::own(
                    LdapErrorCode::InvalidResponse,
                    u"Reading the values of %1 of %2 from %3 on: the server answered with a different range; "
                    "the values may have changed during the read. Read again."_s.arg(
                        QString::fromUtf8(plainName), QString::fromUtf8(dn), QString::number(next))));
            }
            if (got->high < 0)
                return {};
            next = got->high + 1;
        }
    };

    const auto deliver = [&](LDAPMessage* message) -> LdapResult<void> {
        const qint64 entryNumber = ++counts.entries;
        BerElement* berRaw = nullptr;
        berval dn{};
        if (ldap_get_dn_ber(ld, message, &berRaw, &dn) != LDAP_SUCCESS)
            return afterEntries(m_connection.errorFor(m_connection.lastResultCode(), doing));
        const BerElementPtr ber(berRaw);
        m_attributes.clear();
        m_scratch.clear();
        std::vector<BerValuesPtr> keepAlive; // value arrays of this entry, freed after the handler ran
        for (;;) {
            berval name{};
            berval* values = nullptr;
            if (ldap_get_attribute_ber(ld, message, ber.get(), &name, &values) != LDAP_SUCCESS)
                return afterEntries(m_connection.errorFor(m_connection.lastResultCode(), doing));
            keepAlive.emplace_back(values);
            if (!name.bv_val)
                break;
            const QByteArrayView nameView(name.bv_val, qsizetype(name.bv_len));
            bool malformed = false;
            auto range = parseRangeOption(nameView, &malformed);
            if (malformed) {
                return afterEntries(
                    LdapErrorText::own(LdapErrorCode::InvalidResponse,
                                u"%1: the server sent a malformed ranged attribute %2 for %3."_s.arg(
                                    doing, QString::fromUtf8(nameView),
                                    QString::fromUtf8(QByteArrayView(dn.bv_val, qsizetype(dn.bv_len))))));
            }
            QByteArrayView valueName = nameView;
            if (range) {
                if (range->low != 0) {
                    return afterEntries(
                        LdapErrorText::own(LdapErrorCode::InvalidResponse,
                                    u"%1: the server sent %2 of %3 without its first values."_s.arg(
                                        doing, QString::fromUtf8(nameView),
                                        QString::fromUtf8(QByteArrayView(dn.bv_val, qsizetype(dn.bv_len))))));
                }
                valueName = m_scratch.emplace_back(range->plainName);
            }
            for (berval* v = values; v && v->bv_val; ++v) {
                if (qint64(m_attributes.size()) >= request.maxValuesPerEntry)
                    return tooManyValues(QByteArrayView(dn.bv_val, qsizetype(dn.bv_len)));
                m_attributes.push_back(
                    LdifAttribute{valueName, QByteArrayView(v->bv_val, qsizetype(v->bv_len)), entryNumber});
            }
            if (range && range->high >= 0) {
                const QByteArray dnText(dn.bv_val, qsizetype(dn.bv_len));
                if (auto completed = readRestOfRange(dnText, range->plainName, range->high + 1, entryNumber);
                    !completed)
                    return completed;
            }
        }
        const LdifEntry entry{QByteArrayView(dn.bv_val, qsizetype(dn.bv_len)), entryNumber, m_attributes};
        return onEntry(entry);
    };

    // The pages are read one ahead of the handler: as soon as a page's SearchResultDone (which carries the
    // cookie) is read off the connection, the next page is asked for, and only then are the entries still
    // waiting handed to onEntry, so that the handler's work overlaps the server's on the next page and the round
    // trip to it instead of following them (through a WAN link, each page otherwise pays a round trip plus the
    // server's time with the client idle, then the client's time with the server idle). What was read ahead waits
    // in `received`, in arrival order: at most the page being handed over and the next one (the request after
    // that waits until the older page is done), so memory stays bounded by two pages. Entries, page ends and
    // failures are handed on in the order they arrived, so the handler, the progress callback and the errors see
    // what they saw when each page was read and handled in turn.
    // Once a page has begun to arrive, the rest of it is read before anything more is handed over: its end
    // follows at the network's pace, and only its end lets the next page be asked for. Checking for more between
    // entries instead does not work: libldap 2.5's ldap_result with a zero timeout returns "nothing yet" after
    // nearly every entry over TLS even when the next one is already here (observed on Debian 12: 999 such returns
    // for 1,000 entries), so the whole page was handed over before its end was read and the next page asked
    // for, and through a WAN link each page paid the handler's time on top of its round trip.
    struct Received {
        MessagePtr entry;                  // a SearchResultEntry, or null for a page end or a failure
        std::optional<LdapError> failure;  // stops the search once what came before it was handed over
        bool pageEnd = false;              // the page's SearchResultDone (success): counts it, calls progress
        bool last = false;                 // ... and it had no cookie
    };
    std::deque<Received> received;
    int pagesReceived = 0; // page ends waiting in `received`
    int messageId = 0;     // the page being read; 0 when none is asked for
    Cookie cookie;
    bool nextPageDue = false; // `cookie` holds the next page's, not asked for yet
    bool pageArriving = false; // the page being read has sent entries but not its end yet

    const auto askForPage = [&]() -> LdapResult<void> {
        if (const int rc = sendPageRequest(ld, request, cookie.get(), &messageId); rc != LDAP_SUCCESS) {
            messageId = 0;
            return m_connection.errorFor(rc, doing);
        }
        return {};
    };
    const auto abandonPage = [&] {
        if (messageId)
            ldap_abandon_ext(ld, messageId, nullptr, nullptr);
        messageId = 0;
    };
    const auto fail = [&](LdapError e) {
        received.push_back(Received{nullptr, std::move(e), false, false});
        messageId = 0;
        pageArriving = false;
    };

    // Reads the page's SearchResultDone: a page end (and the next page's cookie) or a failure.
    const auto readPageEnd = [&](LDAPMessage* message) {
        int resultCode = LDAP_SUCCESS;
        char* matchedRaw = nullptr;
        char* diagnosticRaw = nullptr;
        LDAPControl** controlsRaw = nullptr;
        const int rc =
            ldap_parse_result(ld, message, &resultCode, &matchedRaw, &diagnosticRaw, nullptr, &controlsRaw, 0);
        const LdapStringPtr matched(matchedRaw);
        const LdapStringPtr diagnostic(diagnosticRaw);
        const ControlsPtr controls(controlsRaw);
        messageId = 0;
        pageArriving = false;
        if (rc != LDAP_SUCCESS)
            return fail(m_connection.errorFor(rc, doing));
        if (resultCode != LDAP_SUCCESS) {
            return fail(m_connection.errorFor(resultCode, doing,
                                              diagnosticRaw ? QString::fromUtf8(diagnosticRaw).trimmed() : QString()));
        }
        cookie.reset();
        if (request.pageSize > 0) {
            LDAPControl* pageResponse = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, controlsRaw, nullptr);
            ber_int_t estimate = 0;
            if (pageResponse &&
                ldap_parse_pageresponse_control(ld, pageResponse, &estimate, cookie.get()) != LDAP_SUCCESS) {
                return fail(LdapErrorText::own(LdapErrorCode::InvalidResponse,
                                               doing + u": the server's paged-results answer is malformed."_s));
            }
        }
        received.push_back(Received{nullptr, std::nullopt, true, cookie.isEmpty()});
        ++pagesReceived;
        nextPageDue = !cookie.isEmpty();
    };

    if (m_started.messageId) // start() asked for the first page
        messageId = std::exchange(m_started.messageId, 0);
    else if (auto asked = askForPage(); !asked)
        return afterEntries(asked.error());
    for (;;) {
        // The next page is asked for once its cookie is in and no page older than the last one read waits.
        if (nextPageDue && pagesReceived <= 1) {
            nextPageDue = false;
            if (auto asked = askForPage(); !asked)
                fail(asked.error());
        }
        // Reads what has arrived; waits when nothing read is left to hand over, or for the rest of a page.
        if (messageId) {
            const bool wait = received.empty() || pageArriving;
            timeval timeout = wait ? toTimeval(m_connection.options().operationTimeout) : timeval{0, 0};
            LDAPMessage* raw = nullptr;
            const int type = ldap_result(ld, messageId, LDAP_MSG_ONE, &timeout, &raw);
            MessagePtr message(raw);
            if (type == 0 && wait) {
                abandonPage();
                fail(m_connection.errorFor(LDAP_TIMEOUT, doing));
            } else if (type < 0) {
                fail(m_connection.errorFor(m_connection.lastResultCode(), doing));
            } else if (type == LDAP_RES_SEARCH_ENTRY) {
                received.push_back(Received{std::move(message), std::nullopt, false, false});
                pageArriving = true;
                continue; // read on to the page's end
            } else if (type == LDAP_RES_SEARCH_RESULT) {
                readPageEnd(message.get());
                continue; // the next page is asked for before anything else
            } else if (type != 0) {
                continue; // referrals (chasing is off) and intermediate responses
            }
        }
        if (received.empty()) {
            if (messageId || nextPageDue)
                continue; // the next page was just asked for
            // Not reached: every page end is followed by a last one, a request or a failure. Never spin.
            return afterEntries(LdapErrorText::own(LdapErrorCode::InvalidResponse,
                                                   doing + u": the search ended without its last page."_s));
        }
        Received next = std::move(received.front());
        received.pop_front();
        if (next.entry) {
            if (auto delivered = deliver(next.entry.get()); !delivered) {
                abandonPage();
                return delivered;
            }
            continue;
        }
        if (next.failure) {
            abandonPage();
            return afterEntries(*next.failure);
        }
        --pagesReceived;
        ++counts.pages;
        if (progress && !progress(counts.entries)) {
            abandonPage();
            return LdapErrorText::own(LdapErrorCode::Cancelled,
                                      doing + u": cancelled after %1 entries."_s.arg(counts.entries));
        }
        if (next.last)
            return {};
    }
}

} // namespace sunset
