// SPDX-License-Identifier: Apache-2.0
#include "ScanDifference.h"

#include "Identity.h"
#include "Matcher.h"
#include "Snapshot.h"

#include <algorithm>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

// Tabs and line breaks would split a line of the list; no UPN, GUID or DN Sunset reads has them in practice.
QByteArray oneLine(QByteArray text)
{
    for (char& c : text)
        if (c == '\t' || c == '\n' || c == '\r')
            c = ' ';
    return text;
}

QByteArrayView keyOfLine(QByteArrayView line)
{
    const qsizetype tab = line.indexOf('\t');
    return tab < 0 ? line : line.first(tab);
}

// Walks the lines of a ScanMailboxList's text.
class LineCursor final {
public:
    explicit LineCursor(const QByteArray& text) : m_text(text) { advance(); }
    bool atEnd() const { return m_line.data() == nullptr; }
    QByteArrayView key() const { return keyOfLine(m_line); }
    QString label() const
    {
        const qsizetype tab = m_line.indexOf('\t');
        return tab < 0 ? QString() : QString::fromUtf8(m_line.sliced(tab + 1));
    }
    void advance()
    {
        if (m_pos >= m_text.size()) {
            m_line = {};
            return;
        }
        qsizetype end = m_text.indexOf('\n', m_pos);
        if (end < 0)
            end = m_text.size();
        m_line = QByteArrayView(m_text).sliced(m_pos, end - m_pos);
        m_pos = end + 1;
    }

private:
    const QByteArray& m_text;
    qsizetype m_pos = 0;
    QByteArrayView m_line;
};

bool driftLess(const ScanDriftKey& a, const ScanDriftKey& b)
{
    const int c = QByteArrayView(a.mailboxKey).compare(b.mailboxKey);
    return c != 0 ? c < 0 : a.attribute < b.attribute;
}

bool sameDrift(const ScanDriftKey& a, const ScanDriftKey& b)
{
    return a.attribute == b.attribute && a.mailboxKey == b.mailboxKey;
}

} // namespace

QByteArray scanMailboxKey(const MailboxRecord* ad, const MailboxRecord* cloud)
{
    for (const MailboxRecord* r : {cloud, ad})
        if (r && r->has(IdentityField::ExternalDirectoryObjectId))
            return "eid:" + oneLine(r->identity(IdentityField::ExternalDirectoryObjectId).toByteArray().toLower());
    if (ad && ad->has(IdentityField::ObjectGuid))
        if (const auto guid = guidToText(ad->identity(IdentityField::ObjectGuid)))
            return "guid:" + *guid;
    for (const MailboxRecord* r : {cloud, ad})
        if (r && r->has(IdentityField::UserPrincipalName))
            return "upn:" + oneLine(r->identityText(IdentityField::UserPrincipalName).toCaseFolded().toUtf8());
    if (ad)
        return "dn:" + oneLine(ad->identityText(IdentityField::DistinguishedName).toCaseFolded().toUtf8());
    return cloud ? "label:" + oneLine(cloud->label().toCaseFolded().toUtf8()) : QByteArray();
}

ScanMailboxList ScanMailboxList::ofScan(const Snapshot& ad, const Snapshot& cloud, const MatchResult& match)
{
    std::vector<std::pair<QByteArray, QString>> entries;
    entries.reserve(match.pairs.size() + match.unmatchedAd.size() + match.unmatchedCloud.size());
    for (const MatchedPair& pair : match.pairs) {
        const MailboxRecord& c = cloud.records[size_t(pair.cloud)];
        entries.emplace_back(scanMailboxKey(&ad.records[size_t(pair.ad)], &c), c.label());
    }
    for (const qint32 i : match.unmatchedAd)
        entries.emplace_back(scanMailboxKey(&ad.records[size_t(i)], nullptr), ad.records[size_t(i)].label());
    for (const qint32 i : match.unmatchedCloud)
        entries.emplace_back(scanMailboxKey(nullptr, &cloud.records[size_t(i)]), cloud.records[size_t(i)].label());
    return fromEntries(std::move(entries));
}

ScanMailboxList ScanMailboxList::fromEntries(std::vector<std::pair<QByteArray, QString>> entries)
{
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return QByteArrayView(a.first) < QByteArrayView(b.first); });
    ScanMailboxList list;
    qsizetype bytes = 0;
    for (const auto& e : entries)
        bytes += e.first.size() + e.second.size() + 2;
    list.m_text.reserve(bytes);
    const QByteArray* previous = nullptr;
    for (const auto& e : entries) {
        if (e.first.isEmpty() || (previous && *previous == e.first))
            continue; // the same mailbox seen twice (e.g. ambiguous on one side): one line
        list.m_text += e.first;
        list.m_text += '\t';
        list.m_text += oneLine(e.second.toUtf8());
        list.m_text += '\n';
        ++list.m_count;
        previous = &e.first;
    }
    return list;
}

std::optional<ScanMailboxList> ScanMailboxList::fromText(QByteArray text)
{
    ScanMailboxList list;
    list.m_text = std::move(text);
    QByteArrayView previous;
    for (LineCursor line(list.m_text); !line.atEnd(); line.advance()) {
        if (line.key().isEmpty() || (list.m_count > 0 && !(previous < line.key())))
            return std::nullopt;
        previous = line.key();
        ++list.m_count;
    }
    return list;
}

std::optional<QString> ScanMailboxList::labelOf(QByteArrayView key) const
{
    // Binary search over byte offsets: land anywhere, back up to the start of that line.
    qsizetype lo = 0, hi = m_text.size();
    while (lo < hi) {
        qsizetype mid = lo + (hi - lo) / 2;
        while (mid > lo && m_text[mid - 1] != '\n')
            --mid;
        qsizetype end = m_text.indexOf('\n', mid);
        if (end < 0)
            end = m_text.size();
        const QByteArrayView line = QByteArrayView(m_text).sliced(mid, end - mid);
        const int c = keyOfLine(line).compare(key);
        if (c == 0) {
            const qsizetype tab = line.indexOf('\t');
            return tab < 0 ? QString() : QString::fromUtf8(line.sliced(tab + 1));
        }
        if (c < 0)
            lo = end + 1;
        else
            hi = mid;
    }
    return std::nullopt;
}

bool SinceScan::isNew(QByteArrayView mailboxKey, AttributeId attribute) const
{
    const ScanDriftKey probe{mailboxKey.toByteArray(), attribute, {}, {}};
    const auto it = std::lower_bound(newDrift.begin(), newDrift.end(), probe,
                                     [](const DriftChange& a, const ScanDriftKey& b) { return driftLess(a.item, b); });
    return it != newDrift.end() && sameDrift(it->item, probe);
}

SinceScan compareScans(const std::optional<ScanIdentity>& previous, const ScanIdentity& current)
{
    SinceScan out;
    if (!previous) {
        out.note = u"This is the first scan of this profile: there is no earlier scan to compare with."_s;
        return out;
    }
    out.previousScanId = previous->scanId;
    out.previousFinished = previous->finished;

    // Mailboxes: one merge over the two sorted lists.
    out.mailboxesCompared = previous->mailboxes && current.mailboxes;
    if (out.mailboxesCompared) {
        LineCursor before(previous->mailboxes->text());
        LineCursor now(current.mailboxes->text());
        while (!before.atEnd() || !now.atEnd()) {
            const int c = before.atEnd() ? 1 : now.atEnd() ? -1 : before.key().compare(now.key());
            if (c < 0) {
                out.mailboxesRemoved.push_back({before.key().toByteArray(), before.label()});
                before.advance();
            } else if (c > 0) {
                out.mailboxesAdded.push_back({now.key().toByteArray(), now.label()});
                now.advance();
            } else {
                before.advance();
                now.advance();
            }
        }
    } else {
        out.note = u"Scan %1 was recorded by an older Sunset that did not keep its mailboxes: mailboxes added and "
                   u"removed are known from the next scan on."_s.arg(previous->scanId);
    }
    const auto isIn = [](const std::vector<SinceScan::Mailbox>& list, const QByteArray& key) {
        return std::binary_search(list.begin(), list.end(), SinceScan::Mailbox{key, {}},
                                  [](const auto& a, const auto& b) { return QByteArrayView(a.key) < b.key; });
    };

    // Drift items: sorted by identity, then merged.
    std::vector<ScanDriftKey> before = previous->drift;
    std::vector<ScanDriftKey> now = current.drift;
    std::sort(before.begin(), before.end(), driftLess);
    std::sort(now.begin(), now.end(), driftLess);
    size_t b = 0, n = 0;
    while (b < before.size() || n < now.size()) {
        if (n == now.size() || (b < before.size() && driftLess(before[b], now[n]))) {
            out.resolvedDrift.push_back({before[b], isIn(out.mailboxesRemoved, before[b].mailboxKey)});
            ++b;
        } else if (b == before.size() || driftLess(now[n], before[b])) {
            out.newDrift.push_back({now[n], isIn(out.mailboxesAdded, now[n].mailboxKey)});
            ++n;
        } else {
            ++out.unchangedDrift;
            ++b;
            ++n;
        }
    }
    return out;
}

QString formatSinceScanText(const SinceScan& since, int listed)
{
    if (!since.hasPrevious())
        return u"Since the last scan: %1\n"_s.arg(since.note);
    const auto plural = [](qsizetype n, const QString& one, const QString& many) {
        return u"%1 %2"_s.arg(n).arg(n == 1 ? one : many);
    };
    QString text = u"Since scan %1 (%2): %3, %4 (%5 unchanged)"_s.arg(since.previousScanId)
                       .arg(since.previousFinished.toUTC().toString(u"yyyy-MM-dd HH:mm 'UTC'"_s),
                            plural(qsizetype(since.newDrift.size()), u"new drift item"_s, u"new drift items"_s),
                            u"%1 resolved"_s.arg(since.resolvedDrift.size()))
                       .arg(since.unchangedDrift);
    if (since.mailboxesCompared)
        text += u"; %1 added, %2 removed"_s.arg(
            plural(qsizetype(since.mailboxesAdded.size()), u"mailbox"_s, u"mailboxes"_s))
                    .arg(since.mailboxesRemoved.size());
    text += u".\n"_s;
    if (!since.note.isEmpty())
        text += u"  "_s + since.note + u'\n';
    const auto list = [&text, listed](const QString& heading, const std::vector<SinceScan::DriftChange>& items,
                                      const QString& mailboxWord) {
        for (size_t i = 0; i < items.size() && i < size_t(listed); ++i) {
            const ScanDriftKey& d = items[i].item;
            text += u"  %1 %2 %3 (%4)%5\n"_s.arg(heading, d.label, AttributeCatalog::spec(d.attribute).ldapName,
                                                  driftCauseKey(d.cause),
                                                  items[i].mailboxChanged ? u", "_s + mailboxWord : QString());
        }
        if (items.size() > size_t(listed))
            text += u"  … and %1 more %2 (see the JSON report's sinceScan)\n"_s.arg(items.size() - size_t(listed))
                        .arg(heading);
    };
    list(u"new"_s, since.newDrift, u"new mailbox"_s);
    list(u"resolved"_s, since.resolvedDrift, u"mailbox gone"_s);
    const auto mailboxes = [&text, listed](const QString& heading, const std::vector<SinceScan::Mailbox>& items) {
        for (size_t i = 0; i < items.size() && i < size_t(listed); ++i)
            text += u"  %1 %2\n"_s.arg(heading, items[i].label);
        if (items.size() > size_t(listed))
            text += u"  … and %1 more %2\n"_s.arg(items.size() - size_t(listed)).arg(heading);
    };
    mailboxes(u"added"_s, since.mailboxesAdded);
    mailboxes(u"removed"_s, since.mailboxesRemoved);
    return text;
}

} // namespace sunset
