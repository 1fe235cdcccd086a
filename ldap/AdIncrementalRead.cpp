// SPDX-License-Identifier: Apache-2.0
#include "AdIncrementalRead.h"

#include "AdKeptEntries.h"
#include "AdScanCursor.h"
#include "AdSnapshotReader.h"
#include "Identity.h"
#include "LdapConnection.h"
#include "LdapEscape.h"
#include "LdapLogging.h"
#include "ProxyAddress.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSet>

#include <atomic>
#include <chrono>
#include <future>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// What the DC says about itself before the read: the cursor the next scan continues from.
struct DcState {
    QString host;
    QByteArray serviceName;  // the DN of its nTDSDSA object
    QByteArray invocationId; // lower-case GUID text; read with the first searches (invocationIdSearch)
    qint64 highestCommittedUsn = 0;
    QByteArray namingContext; // the partition holding the base DN: where moves out of the base are seen
};

bool dnIsUnder(QByteArrayView dn, QByteArrayView ancestor)
{
    if (dn.size() == ancestor.size())
        return equalsCaseInsensitive(dn, ancestor);
    return dn.size() > ancestor.size() && dn[dn.size() - ancestor.size() - 1] == ',' &&
           equalsCaseInsensitive(dn.last(ancestor.size()), ancestor);
}

QByteArrayView valueOf(const LdifEntry& entry, QByteArrayView name)
{
    for (const LdifAttribute& attribute : entry.attributes) {
        if (equalsCaseInsensitive(attribute.name, name))
            return attribute.value;
    }
    return {};
}

bool hasValue(const LdifEntry& entry, QByteArrayView name, QByteArrayView value)
{
    return std::any_of(entry.attributes.begin(), entry.attributes.end(), [&](const LdifAttribute& a) {
        return equalsCaseInsensitive(a.name, name) && equalsCaseInsensitive(a.value, value);
    });
}

// The highestCommittedUSN, dsServiceName, dnsHostName and naming contexts of the root DSE [MS-ADTS 3.1.1.3.2.1,
// documented], read again (the USN is the cursor); one round trip, after which the dictionary's searches find
// the root DSE read.
LdapResult<DcState> readDcState(LdapConnection& connection, const QByteArray& baseDn)
{
    LdapResult<RootDse> dse = connection.readRootDseAgain();
    if (!dse)
        return dse.error();
    DcState state;
    state.host = dse->dnsHostName.isEmpty() ? connection.host() : QString::fromUtf8(dse->dnsHostName);
    state.serviceName = dse->dsServiceName;
    state.highestCommittedUsn = dse->highestCommittedUsn;
    for (const QByteArray& context : std::as_const(dse->namingContexts)) {
        if (dnIsUnder(baseDn, context) && context.size() > state.namingContext.size())
            state.namingContext = context;
    }
    return state;
}

// The invocationId of the DC's nTDSDSA object [MS-ADTS 3.1.1.1.9 and 6.1.1.2.2.1.2.1.1: a DC restored from
// backup takes a new invocationId, documented], as a search sent together with the first others.
LdapSearchJob invocationIdSearch(const QByteArray& serviceName, QByteArray& invocationId)
{
    LdapSearchRequest dsa;
    dsa.baseDn = serviceName;
    dsa.scope = LdapScope::Base;
    dsa.pageSize = 0;
    dsa.attributes = {"invocationId"};
    return LdapSearchJob{dsa,
                         [&invocationId](const LdifEntry& entry) -> LdapResult<void> {
                             if (const auto text = guidToText(valueOf(entry, "invocationId")))
                                 invocationId = *text;
                             return {};
                         },
                         {}};
}

// Why a kept cursor cannot be continued on this DC now, or nullopt when it can, as far as the root DSE tells;
// whyRestored() checks the invocationId once it is read.
std::optional<QString> whyNotContinued(const AdScanCursor& cursor, const DcState& dc, const QByteArray& baseDn,
                                       const QByteArray& signature, int maxAgeDays)
{
    if (cursor.dcHost.compare(dc.host, Qt::CaseInsensitive) != 0)
        return u"the previous scan read %1, this one %2 (update sequence numbers are per domain controller)"_s.arg(
            cursor.dcHost, dc.host);
    if (dc.highestCommittedUsn < cursor.highestCommittedUsn)
        return u"the highestCommittedUSN of %1 went back from %2 to %3"_s.arg(
            dc.host, QString::number(cursor.highestCommittedUsn), QString::number(dc.highestCommittedUsn));
    if (!equalsCaseInsensitive(cursor.baseDn, baseDn))
        return u"the previous scan read under %1, this one under %2"_s.arg(QString::fromUtf8(cursor.baseDn),
                                                                          QString::fromUtf8(baseDn));
    if (cursor.readSignature != signature)
        return u"the previous scan asked for other attributes (another Sunset version or settings)"_s;
    const qint64 ageDays = cursor.savedAt.daysTo(QDateTime::currentDateTimeUtc());
    if (ageDays >= maxAgeDays || cursor.savedAt > QDateTime::currentDateTimeUtc().addSecs(3600))
        return u"the previous scan is from %1, more than %2 days ago (a periodic full read)"_s.arg(
            cursor.savedAt.toString(Qt::ISODate), QString::number(maxAgeDays));
    if (dc.namingContext.isEmpty())
        return u"%1 is in no naming context of %2"_s.arg(QString::fromUtf8(baseDn), dc.host);
    return std::nullopt;
}

std::optional<QString> whyRestored(const AdScanCursor& cursor, const DcState& dc)
{
    if (cursor.invocationId != dc.invocationId)
        return u"the invocationId of %1 changed from %2 to %3 (the DC was restored from a backup or its database "
               "replaced)"_s.arg(dc.host, QString::fromUtf8(cursor.invocationId), QString::fromUtf8(dc.invocationId));
    return std::nullopt;
}

// objectGUIDs per search of the changed mailboxes: a filter of about 25 kB, far below the DC's limits (AD's
// MaxReceiveBuffer is 10 MB by default, documented).
constexpr qsizetype kGuidsPerSearch = 500;

QByteArray usnFilter(qint64 above)
{
    return "(uSNChanged>=" + QByteArray::number(above + 1) + ')';
}

// The incremental part: what changed on the DC since the cursor, merged into the kept entries.
class IncrementalMerge final {
public:
    IncrementalMerge(LdapConnection& connection, const QByteArray& baseDn, const DcState& dc, qint64 sinceUsn,
                     const AdLdapReadOptions& options)
        : m_connection(connection), m_baseDn(baseDn), m_dc(dc), m_sinceUsn(sinceUsn), m_options(options)
    {
    }

    // First, before any mailbox is read: the objectGUIDs of every user changed since the cursor anywhere in the
    // naming context (so one moved out of the base DN or out of the filter is seen, as kAdMailboxFilter's first
    // term is objectClass=user), deleted ones included (isDeleted=TRUE under the show-deleted control
    // [MS-ADTS 3.1.1.3.4.1.14, documented]; their uSNChanged moves on deletion: documented, the tombstone is an
    // originating write), and the OUs and containers changed since: a rename or move of one changes its
    // descendants' DNs without touching their uSNChanged [MS-ADTS 3.1.1.1.9: only the renamed object gets a new
    // USN; documented], so those descendants are read again (expandContainers). A search job, so that it goes out
    // with the DC's invocationId and the dictionary's searches in one round trip.
    LdapSearchJob changedSearch()
    {
        LdapSearchRequest changed;
        changed.baseDn = m_dc.namingContext;
        changed.filter = "(&" + usnFilter(m_sinceUsn) +
                         "(|(objectClass=user)(objectClass=organizationalUnit)(objectClass=container)(isDeleted=TRUE)))";
        changed.attributes = {"objectGUID", "objectClass", "isDeleted"};
        changed.pageSize = m_options.pageSize;
        changed.showDeleted = true;
        return LdapSearchJob{changed,
                             [this](const LdifEntry& entry) -> LdapResult<void> {
                                 const QByteArrayView guid = valueOf(entry, "objectGUID");
                                 if (hasValue(entry, "isDeleted", "TRUE") || hasValue(entry, "objectClass", "user"))
                                     m_changed.insert(guid.toByteArray());
                                 else if (!equalsCaseInsensitive(entry.dn, m_dc.namingContext))
                                     m_containers << entry.dn.toByteArray();
                                 return {};
                             },
                             {}};
    }

    // The users under each changed OU or container (none changed: no search).
    LdapResult<void> expandContainers()
    {
        for (const QByteArray& container : std::as_const(m_containers)) {
            LdapSearchRequest below;
            below.baseDn = container;
            below.filter = "(objectClass=user)";
            below.attributes = {"objectGUID"};
            below.pageSize = m_options.pageSize;
            auto searched = m_connection.search(below, [&](const LdifEntry& entry) -> LdapResult<void> {
                m_changed.insert(valueOf(entry, "objectGUID").toByteArray());
                return {};
            });
            // NoSuchObject: gone since, and its users are in m_changed.
            if (!searched && searched.error().code != LdapErrorCode::NoSuchObject)
                return searched;
            if (dnIsUnder(container, m_baseDn))
                m_rereadUnder << container;
        }
        return {};
    }

    // Then the mailboxes changed since the cursor, paged and ranged exactly as a full read, and every mailbox
    // under a changed OU inside the base DN; each read once. The changed ones are asked for by the objectGUIDs
    // findChanged() found, a batch at a time: objectGUID is indexed, while a second uSNChanged range search
    // makes a DC without an ordered index on it (Samba's TDB store) scan every object again. A mailbox changed
    // after changedSearch() is above the new cursor: the next rescan reads it. So is one moved under a changed OU
    // after expandContainers(): it is not read again here (its kept entry, if any, stays), because the kept
    // entries are merged on another thread meanwhile and leave out exactly the GUIDs changedSearch() and
    // expandContainers() found.
    LdapResult<void> readChanged(const LdapEntryHandler& onEntry, const LdapSearchProgress& progress)
    {
        const auto once = [&](const LdifEntry& entry) -> LdapResult<void> {
            const QByteArray guid = valueOf(entry, "objectGUID").toByteArray();
            if (!m_changed.contains(guid) || m_reread.contains(guid))
                return {};
            m_reread.insert(guid);
            return onEntry(entry);
        };
        const LdapSearchRequest all = adMailboxSearchRequest(m_baseDn, m_options);
        QList<QByteArray> changed;
        for (const QByteArray& guid : std::as_const(m_changed)) {
            if (guid.size() == 16)
                changed << guid;
        }
        for (qsizetype at = 0; at < changed.size(); at += kGuidsPerSearch) {
            QByteArray anyOf = "(|";
            for (const QByteArray& guid : changed.mid(at, kGuidsPerSearch))
                anyOf += "(objectGUID=" + escapeFilterBytes(guid) + ')';
            LdapSearchRequest request = all;
            request.filter = "(&" + all.filter + anyOf + "))";
            if (auto searched = m_connection.search(request, once, progress); !searched)
                return searched;
        }
        for (const QByteArray& container : std::as_const(m_rereadUnder)) {
            LdapSearchRequest below = adMailboxSearchRequest(container, m_options);
            if (auto searched = m_connection.search(below, once, progress);
                !searched && searched.error().code != LdapErrorCode::NoSuchObject)
                return searched;
        }
        return {};
    }

    // A kept entry is used as it was unless it changed (then it is read again, or it is gone). Only reads what
    // was settled before readChanged(), so another thread may ask while it runs.
    bool changed(QByteArrayView guid) const
    {
        return m_changed.contains(QByteArray::fromRawData(guid.data(), guid.size())); // a look-up key, not kept
    }
    // After readChanged(): how many of these GUIDs were not read again (deleted, or out of the filter or base DN).
    qint64 notReread(const QList<QByteArray>& guids) const
    {
        return std::count_if(guids.begin(), guids.end(), [this](const QByteArray& g) { return !m_reread.contains(g); });
    }
    qint64 reread() const { return m_reread.size(); }

private:
    LdapConnection& m_connection;
    const QByteArray m_baseDn;
    const DcState m_dc;
    const qint64 m_sinceUsn;
    const AdLdapReadOptions m_options;
    QSet<QByteArray> m_changed; // objectGUIDs (16 bytes) changed, deleted, or under a changed OU
    QByteArrayList m_containers; // changed OUs and containers, from changedSearch()
    QByteArrayList m_rereadUnder;
    QSet<QByteArray> m_reread; // objectGUIDs read again in this scan
};

} // namespace

QString AdIncrementalResult::describe() const
{
    if (incremental) {
        return u"AD: incremental read of %1 (changes since USN %2): %3 read again, %4 removed, %5 kept."_s.arg(
            dcHost, QString::number(sinceUsn), QString::number(reread), QString::number(removed),
            QString::number(kept));
    }
    if (!fullReason.isEmpty())
        return u"AD: full read of %1: %2."_s.arg(dcHost, fullReason);
    return u"AD: full read of %1."_s.arg(dcHost);
}

Result<AdIncrementalResult> readAdSnapshotIncrementally(LdapConnection& connection, const QByteArray& baseDn,
                                                        const ReadProgress& progress,
                                                        const AdIncrementalOptions& options)
{
    const QString source = adLdapSourceName(connection, baseDn);
    const auto readFailed = [&](const LdapError& e) { return ImportError{source, 0, {}, e.toString()}; };
    AdIncrementalResult result;
    const QString directory = options.stateDirectory;
    const QByteArray signature = adReadSignature(options.read.replicationMetadata);
    // Where a rescan's time goes, for the log (sunset.ldap.debug): the searches, the kept entries, saving.
    QElapsedTimer phase;
    phase.start();
    QStringList phases;
    const auto phaseDone = [&](const char* what) {
        phases << u"%1 %2 ms"_s.arg(QLatin1StringView(what)).arg(phase.restart());
    };

    // The DC's state before anything is read, so that whatever changes during this scan is above the cursor.
    std::optional<DcState> dc;
    if (!directory.isEmpty()) {
        LdapResult<DcState> state = readDcState(connection, baseDn);
        if (!state) {
            result.fullReason = u"the DC's highestCommittedUSN and invocationId could not be read: "_s +
                                state.error().toString();
        } else if (state->highestCommittedUsn <= 0 || state->serviceName.isEmpty()) {
            result.fullReason = u"the DC names no highestCommittedUSN or dsServiceName"_s;
        } else {
            dc = std::move(state.value());
        }
    }
    result.dcHost = dc ? dc->host : connection.host();
    phaseDone("DC state");

    // The kept entries are checked against the cursor (their SHA-256: tens of milliseconds at 20,000 mailboxes)
    // on a thread of their own while the DC answers the first searches. std::async, not a BackgroundTask: a
    // fork joined within this blocking call, which reports nothing on its own.
    std::optional<AdScanCursor> cursor;
    std::unique_ptr<AdKeptEntries> kept;
    std::future<Expected<void, QString>> keptChecked;
    if (dc && options.forceFull) {
        result.fullReason = u"asked for (--full-scan or --ad-full)"_s;
    } else if (dc) {
        Result<std::optional<AdScanCursor>> loaded = loadAdScanCursor(directory);
        if (!loaded) {
            result.fullReason = loaded.error().toString();
        } else if (!loaded.value()) {
            result.fullReason = u"no previous scan kept for this profile"_s;
        } else if (auto why = whyNotContinued(*loaded.value(), *dc, baseDn, signature, options.maxCursorAgeDays)) {
            result.fullReason = *why;
        } else {
            cursor = loaded.value();
            kept = std::make_unique<AdKeptEntries>(adEntriesPath(directory));
            keptChecked = std::async(std::launch::async, [entries = kept.get(), sha = cursor->entriesSha256,
                                                          count = cursor->entries] { return entries->open(sha, count); });
        }
    }

    AdSnapshotReader reader(source);
    std::optional<ImportError> readerFailure; // why the reader refused an entry that a search handed it
    std::optional<AdKeptEntriesWriter> writer;
    if (dc) {
        if (!QDir().mkpath(directory)) {
            result.stateWarning = u"cannot create the profile directory %1"_s.arg(directory);
        } else {
            QFile::setPermissions(directory, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
            writer.emplace(adEntriesPath(directory));
            if (auto opened = writer->open(); !opened) {
                result.stateWarning = opened.error();
                writer.reset();
            }
        }
    }
    const auto add = [&](const LdifEntry& entry, bool keep) -> LdapResult<void> {
        if (keep && writer)
            writer->write(entry);
        if (auto added = reader.addEntry(entry); !added) {
            readerFailure = added.error();
            return LdapError{LdapErrorCode::InvalidResponse, 0, readerFailure->toString(), {}};
        }
        return {};
    };
    const LdapEntryHandler addMailbox = [&](const LdifEntry& entry) { return add(entry, true); };
    const LdapSearchProgress searchProgress =
        progress ? LdapSearchProgress([&](qint64 entries) { return progress(entries); }) : LdapSearchProgress();

    // One round trip for what comes first: the DC's invocationId, the dictionary that decodes replication
    // metadata, and either what changed since the cursor or (no cursor) the mailboxes themselves.
    std::optional<IncrementalMerge> merge;
    if (cursor)
        merge.emplace(connection, baseDn, *dc, cursor->highestCommittedUsn, options.read);
    std::vector<LdapSearchJob> first;
    if (dc)
        first.push_back(invocationIdSearch(dc->serviceName, dc->invocationId));
    const size_t dictionaryBegin = first.size();
    if (options.read.replicationMetadata) {
        for (LdapSearchRequest& dictionary : adMetadataDictionarySearches(connection))
            first.push_back(LdapSearchJob{std::move(dictionary), [&](const LdifEntry& e) { return add(e, false); }, {}});
    }
    const size_t dictionaryEnd = first.size();
    first.push_back(merge ? merge->changedSearch()
                          : LdapSearchJob{adMailboxSearchRequest(baseDn, options.read), addMailbox, searchProgress});
    const std::vector<LdapResult<void>> searched = connection.searchTogether(first);
    for (size_t i = dictionaryBegin; i < dictionaryEnd; ++i) {
        if (!searched[i] && !readerFailure)
            logAdMetadataDictionaryFailure(first[i].request, searched[i].error());
    }
    if (readerFailure)
        return *readerFailure;
    if (!searched.back())
        return readFailed(searched.back().error());
    bool mailboxesRead = !merge;
    if (dc && (!searched.front() || dc->invocationId.isEmpty())) {
        // No cursor can be kept without it; a read under way continues as a full one.
        result.fullReason = searched.front() ? u"the DC names no invocationId"_s
                                             : u"the DC's invocationId could not be read: "_s +
                                                   searched.front().error().toString();
        dc.reset();
        writer.reset();
        merge.reset();
    } else if (merge) {
        if (auto why = whyRestored(*cursor, *dc)) {
            result.fullReason = *why;
            merge.reset();
        } else if (auto checked = keptChecked.get(); !checked) {
            result.fullReason = checked.error();
            merge.reset();
        }
    }
    phaseDone(merge ? "changes found" : "first searches");

    if (merge) {
        if (auto expanded = merge->expandContainers(); !expanded)
            return readFailed(expanded.error());
        // The kept entries are merged on a thread of their own (into the reader and the new file, leaving out
        // what changed) while this one reads the changed mailboxes into memory; those join after. Progress and
        // Cancel stay on this thread: it counts what the merge has done while it waits. (Two merging threads,
        // each with a reader of its own, measured no faster on the 2-core development VM, where the DC shares
        // the cores.)
        std::atomic<qint64> keptSoFar{0};
        std::atomic_bool stopMerging{false};
        QList<QByteArray> leftOut; // kept GUIDs that changed
        std::future<Result<void>> merging = std::async(std::launch::async, [&]() -> Result<void> {
            return kept->read([&](const LdifEntry& entry, QByteArrayView record) -> Result<void> {
                if (stopMerging.load(std::memory_order_relaxed))
                    return ImportError{source, 0, {}, u"cancelled after %1 entries."_s.arg(keptSoFar.load())};
                const QByteArrayView guid = valueOf(entry, "objectGUID");
                if (merge->changed(guid)) {
                    leftOut << guid.toByteArray();
                    return {};
                }
                if (writer)
                    writer->writeRecord(record); // kept as it was: its bytes are copied, not encoded again
                if (auto added = reader.addEntry(entry); !added)
                    return added.error();
                keptSoFar.fetch_add(1, std::memory_order_relaxed);
                return {};
            });
        });
        const auto stopAndWait = [&] {
            stopMerging = true;
            merging.wait();
        };
        AdEntryRecords changedEntries(source);
        auto changedRead = merge->readChanged(
            [&](const LdifEntry& entry) -> LdapResult<void> {
                changedEntries.add(entry);
                return {};
            },
            progress ? LdapSearchProgress([&](qint64 entries) { return progress(entries + keptSoFar.load()); })
                     : LdapSearchProgress());
        if (!changedRead) {
            stopAndWait();
            return readFailed(changedRead.error());
        }
        phaseDone("changed mailboxes read");
        using namespace std::chrono_literals;
        while (merging.wait_for(100ms) != std::future_status::ready) {
            if (progress && !progress(merge->reread() + keptSoFar.load()))
                stopMerging = true;
        }
        if (Result<void> merged = merging.get(); !merged)
            return merged.error();
        result.kept = keptSoFar.load();
        phaseDone("kept entries merged");
        if (auto added = changedEntries.read([&](const LdifEntry& entry) -> Result<void> {
                if (auto ok = reader.addEntry(entry); !ok)
                    return ok.error();
                return {};
            });
            !added)
            return added.error();
        if (writer)
            writer->writeRecords(changedEntries);
        // The last count; a cancel now is seen by the caller.
        if (progress && !progress(merge->reread() + result.kept))
            return ImportError{source, 0, {}, u"cancelled after %1 entries."_s.arg(merge->reread() + result.kept)};
        result.incremental = true;
        result.sinceUsn = cursor->highestCommittedUsn;
        result.reread = merge->reread();
        result.removed = merge->notReread(leftOut);
        mailboxesRead = true;
    }
    if (!mailboxesRead) {
        if (auto read = connection.search(adMailboxSearchRequest(baseDn, options.read), addMailbox, searchProgress);
            !read)
            return readerFailure ? *readerFailure : readFailed(read.error());
        phaseDone("mailboxes read");
    }
    if (keptChecked.valid()) // a check not waited for (the cursor turned out unusable) ends before its file goes
        keptChecked.wait();
    kept.reset(); // unmapped before the new entries take its place
    Result<Snapshot> snapshot = reader.finish();
    if (!snapshot)
        return snapshot.error();
    result.snapshot = std::move(snapshot.value());
    phaseDone("snapshot finished");

    if (writer) {
        // The old cursor goes first: a crash in between leaves no cursor, so the next scan reads in full.
        QFile::remove(adCursorPath(directory));
        AdScanCursor next;
        next.dcHost = dc->host;
        next.invocationId = dc->invocationId;
        next.highestCommittedUsn = dc->highestCommittedUsn;
        next.baseDn = baseDn;
        next.readSignature = signature;
        next.savedAt = QDateTime::currentDateTimeUtc();
        next.entries = writer->entries();
        if (auto committed = writer->commit(next.entriesSha256); !committed)
            result.stateWarning = committed.error();
        else if (auto saved = saveAdScanCursor(directory, next); !saved)
            result.stateWarning = saved.error().toString();
        phaseDone("cursor and entries saved");
    }
    qCDebug(lcLdap).noquote() << (result.incremental ? "incremental" : "full") << "AD read:" << phases.join(u", "_s);
    return result;
}

} // namespace sunset
