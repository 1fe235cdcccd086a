// SPDX-License-Identifier: Apache-2.0
#include "DemoTenantGenerator.h"

#include "AttributeCatalog.h"
#include "Identity.h"
#include "JsonWriter.h"
#include "RecipientType.h"
#include "ReplicationMetadata.h"

#include <QDateTime>
#include <QSet>

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

namespace {

constexpr qint64 kDay = 24LL * 3600 * 1000;
constexpr QLatin1StringView kDomain = "contoso.com"_L1;
constexpr QLatin1StringView kRoutingDomain = "contoso.mail.onmicrosoft.com"_L1;
constexpr QLatin1StringView kBaseDn = "DC=contoso,DC=com"_L1;
constexpr QLatin1StringView kChildBaseDn = "DC=emea,DC=contoso,DC=com"_L1; // a child domain with its own job
constexpr qint64 kMinute = 60 * 1000;
// The writeback jobs of the demo: ids in the observed form <templateId>.<app id without dashes>.<hex>.
constexpr QLatin1StringView kJobId = "Entra2ADExchangeOnlineAttributeWriteback.3b99513e0cee4291aea884356239fb82.5d1c0e7a4b2f"_L1;
constexpr QLatin1StringView kChildJobId =
    "Entra2ADExchangeOnlineAttributeWriteback.3b99513e0cee4291aea884356239fb82.9a8b7c6d5e4f"_L1;

// The demo forest's two DCs, as a dump's configuration partition names them (server dNSHostName, nTDSDSA
// invocationId): DC01, where the Cloud Sync agent writes, and DC02, where a second writer changes AD after it.
struct DemoDc {
    QLatin1StringView name;
    QLatin1StringView host;
    QByteArray invocationId; // the 16 bytes as stored
};
const std::array<DemoDc, 2> kDemoDcs{{
    {"DC01"_L1, "dc01.contoso.com"_L1, QByteArray::fromHex("52a13f8c6e4d7a4b9e0f1a2b3c4d5e01")},
    {"DC02"_L1, "dc02.contoso.com"_L1, QByteArray::fromHex("52a13f8c6e4d7a4b9e0f1a2b3c4d5e02")},
}};
// ms-Exch-Extension-Attribute-4 [documented: the Exchange schema, attributeID 1.2.840.113556.1.2.426]; its attid
// through the static prefix table (1.2.840.113556.1.2 is prefix 2 [documented: MS-DRSR 5.16.4]).
constexpr QLatin1StringView kExtensionAttribute4Oid = "1.2.840.113556.1.2.426"_L1;
constexpr quint32 kExtensionAttribute4Attid = 0x000201aau;
constexpr QLatin1StringView kDomainSid = "S-1-5-21-3623811015-3361044348-30300820"_L1;
constexpr qsizetype kChunk = 1 << 20;

QByteArray configLdif();
QByteArray hybridJson();

// SplitMix64: tiny, fast and fully specified, so the tenant is byte-identical on every machine
// (std:: distributions are implementation-defined).
class Rng final {
public:
    explicit Rng(quint64 seed) : m_state(seed) {}
    quint64 next()
    {
        quint64 z = (m_state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    int below(int n) { return int(next() % quint64(n)); }
    double unit() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }
    QByteArray bytes(int n)
    {
        QByteArray b;
        for (int i = 0; i < n; ++i)
            b.append(char(next() & 0xff));
        return b;
    }
    template <typename T>
    void shuffle(QList<T>& list)
    {
        for (qsizetype i = list.size() - 1; i > 0; --i)
            list.swapItemsAt(i, qsizetype(next() % quint64(i + 1)));
    }

private:
    quint64 m_state;
};

const std::array<QString, 32> kFirstNames{
    u"Jürgen"_s, u"Anna"_s,   u"José"_s,   u"Zoë"_s,    u"Łukasz"_s, u"Åsa"_s,     u"Chloé"_s,  u"Søren"_s,
    u"Ngozi"_s,  u"Hiroshi"_s, u"Priya"_s, u"Liam"_s,   u"Emma"_s,   u"Noah"_s,    u"Olivia"_s, u"Mateo"_s,
    u"Fatima"_s, u"Chen"_s,   u"Ivan"_s,   u"Sofia"_s,  u"Lucas"_s,  u"Mia"_s,     u"Omar"_s,   u"Hana"_s,
    u"Ethan"_s,  u"Amara"_s,  u"Björn"_s,  u"Inés"_s,   u"Kwame"_s,  u"Aoife"_s,   u"Dmitri"_s, u"Lea"_s};
const std::array<QString, 32> kLastNames{
    u"Müller"_s,  u"García"_s,   u"O'Brien"_s, u"Nguyen"_s,  u"Smith"_s,    u"Kowalski"_s, u"Svensson"_s,
    u"Ødegaard"_s, u"Okafor"_s,  u"Tanaka"_s,  u"Patel"_s,   u"Johnson"_s,  u"Brown"_s,    u"Martin"_s,
    u"Rossi"_s,   u"Dubois"_s,   u"Haddad"_s,  u"Wang"_s,    u"Petrov"_s,   u"Costa"_s,    u"Schmidt"_s,
    u"Kim"_s,     u"Nakamura"_s, u"Jansen"_s,  u"Fischer"_s, u"Mensah"_s,   u"Lindqvist"_s, u"Moreau"_s,
    u"Walsh"_s,   u"Novak"_s,    u"Weiß"_s,    u"Ferreira"_s};
const std::array<QLatin1StringView, 8> kDepartments{"Sales"_L1,     "Finance"_L1, "Engineering"_L1, "HR"_L1,
                                                    "Operations"_L1, "Legal"_L1,   "Marketing"_L1,   "Support"_L1};

// "Jürgen" -> "jurgen", "Łukasz" -> "lukasz", "O'Brien" -> "obrien": what admins put in UPNs and aliases.
QString asciiFold(const QString& name)
{
    QString out;
    for (QChar c : name.normalized(QString::NormalizationForm_KD)) {
        const char16_t u = c.unicode();
        if (u == u'Ł' || u == u'ł')
            out += u'l';
        else if (u == u'Ø' || u == u'ø')
            out += u'o';
        else if (u == u'ß')
            out += u"ss"_s;
        else if (u < 0x80 && c.isLetterOrNumber())
            out += c.toLower();
    }
    return out;
}

// RFC 4514: escape a value that goes into a DN.
QString escapeDnValue(const QString& value)
{
    QString out;
    for (qsizetype i = 0; i < value.size(); ++i) {
        const QChar c = value[i];
        if (QStringView(u",+\"\\<>;=").contains(c) || (i == 0 && (c == u'#' || c == u' ')) ||
            (i == value.size() - 1 && c == u' '))
            out += u'\\';
        out += c;
    }
    return out;
}

QString isoTime(qint64 ms, bool sevenDigits)
{
    const QDateTime t = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
    return sevenDigits ? t.toString(u"yyyy-MM-ddTHH:mm:ss.0000000Z"_s) : t.toString(Qt::ISODate);
}

enum class Type { User, Shared, Room, Equipment };

QLatin1StringView cloudTypeName(Type t)
{
    switch (t) {
    case Type::User: return "UserMailbox"_L1;
    case Type::Shared: return "SharedMailbox"_L1;
    case Type::Room: return "RoomMailbox"_L1;
    case Type::Equipment: return "EquipmentMailbox"_L1;
    }
    return {};
}

CloudMailboxType domainType(Type t) { return CloudMailboxType(int(t)); }

// One mailbox as each side holds it. Everything starts equal; planted drift then changes one side.
struct AdSide {
    QString dn, cn, givenName, sn, upn, mail, alias, target, hide;
    QStringList proxies;
    QString recipientTypeDetails, displayType, remoteType;
    QByteArray objectGuid, sidBinary;
    bool hasConsistencyGuid = true, hasExternalId = true;
    std::array<QString, 15> ext;
    std::array<QStringList, 5> extMulti;
    qint64 whenChanged = 0;
    QByteArray replPropertyMetaData; // set on the mailboxes whose AD change history the demo plants
};
struct CloudSide {
    QString upn, primary, windowsEmail, alias, type;
    QStringList addresses;
    bool cloudManaged = true, dirSynced = true, hidden = false;
    std::array<QString, 15> custom;
    std::array<QStringList, 5> extCustom;
    qint64 whenChanged = 0;
};
struct Mailbox {
    QString display;
    QByteArray externalId, exchangeGuid; // GUID text
    QString sid;
    AdSide ad;
    CloudSide cloud;
    bool inAd = true, inCloud = true, graphHasAnchors = true;
};

struct Expected {
    QString upn, dn, attribute, severity, cause;
};

// One provisioning log entry the demo plants for a mailbox (provisioningObjectSummary, reduced to what Sunset reads).
struct PlantedEntry {
    int box = 0;
    qint64 when = 0;
    QLatin1StringView status;
    QString errorCode, errorCategory, reason, recommendedAction, skipReason;
    QStringList modified; // AD attribute names written
};

class Generator final {
public:
    Generator(const DemoTenantOptions& options) : m_o(options), m_rng(options.seed) {}

    void run(const DemoTenantSinks& sinks)
    {
        build();
        if (m_o.plantScenarios)
            plant();
        for (int i = 0; i < int(m_boxes.size()) && m_o.randomDriftPercent > 0; ++i)
            if (!m_planted.contains(i) && m_rng.unit() * 100.0 < m_o.randomDriftPercent) {
                m_boxes[size_t(i)].cloud.custom[6] = u"Changed in the cloud "_s + QString::number(i);
                expect(i, u"extensionAttribute7"_s, u"normal"_s, u"unexplained"_s);
            }
        writeLdif(sinks.ldif);
        writeExoJson(sinks.exoJson);
        if (sinks.exoCsv)
            writeExoCsv(sinks.exoCsv);
        writeGraph(sinks.graphJson);
        if (sinks.manifest)
            writeManifest(sinks.manifest);
        if (sinks.configLdif)
            sinks.configLdif(configLdif());
        if (sinks.hybridJson)
            sinks.hybridJson(hybridJson());
        if (sinks.syncJobsJson)
            sinks.syncJobsJson(syncJobsJson());
        if (sinks.syncSchemaJson)
            sinks.syncSchemaJson(syncSchemaJson());
        if (sinks.provisioningJson)
            sinks.provisioningJson(provisioningJson());
    }

private:
    QByteArray guidText() { return *guidToText(m_rng.bytes(16)); }

    void build()
    {
        QSet<QString> usedAliases;
        m_boxes.reserve(size_t(m_o.mailboxes) + 4);
        for (int i = 0; i < m_o.mailboxes; ++i) {
            Type type = Type::User;
            const int roll = m_rng.below(100);
            if (roll >= 98)
                type = Type::Equipment;
            else if (roll >= 95)
                type = Type::Room;
            else if (roll >= 88)
                type = Type::Shared;
            QString first = kFirstNames[size_t(m_rng.below(32))], last = kLastNames[size_t(m_rng.below(32))];
            if (i == 1) { // the classic escaped-comma, non-ASCII DN
                first = u"Jürgen"_s;
                last = u"Müller"_s;
                type = Type::User;
            }
            const QString dept = kDepartments[size_t(m_rng.below(8))];
            QString display, alias, cn;
            bool lastFirst = false;
            switch (type) {
            case Type::User:
                display = first + u' ' + last;
                alias = asciiFold(first) + u'.' + asciiFold(last);
                lastFirst = (i % 2) == 1;
                break;
            case Type::Shared:
                display = dept + u" Team "_s + QString::number(i);
                alias = dept.toLower() + u".team"_s + QString::number(i);
                break;
            case Type::Room:
                display = u"Room "_s + dept + u' ' + QString::number(i);
                alias = u"room."_s + QString::number(i);
                break;
            case Type::Equipment:
                display = u"Projector "_s + QString::number(i);
                alias = u"projector."_s + QString::number(i);
                break;
            }
            if (i == 14) { // RFC 4514 specials: a leading '#' and a '+'
                type = Type::Shared;
                display = u"#Hash+Plus Team"_s;
                alias = u"hashplus.team"_s;
            }
            const QString baseAlias = alias;
            for (int n = 2; usedAliases.contains(alias); ++n)
                alias = baseAlias + QString::number(n);
            usedAliases.insert(alias);
            cn = lastFirst ? last + u", "_s + first : display;
            if (type == Type::User) {
                const QString digits = alias.mid(baseAlias.size()); // "2" for the second Anna Smith
                if (!digits.isEmpty()) {
                    display += u' ' + digits;
                    cn += u' ' + digits;
                }
            }
            m_boxes.push_back(makeMailbox(i, type, first, last, display, alias, cn, dept));
        }
        if (m_o.includeBigMailbox)
            m_boxes.push_back(makeBigMailbox(int(m_boxes.size())));
    }

    Mailbox makeMailbox(int i, Type type, const QString& first, const QString& last, const QString& display,
                        const QString& alias, const QString& cn, const QString& dept)
    {
        Mailbox m;
        m.display = display;
        m.externalId = guidText();
        m.exchangeGuid = guidText();
        m.sid = kDomainSid + u'-' + QString::number(1105 + i);
        const QString upn = alias + u'@' + kDomain;
        AdSide& a = m.ad;
        a.cn = cn;
        a.dn = u"CN="_s + escapeDnValue(cn) + u",OU="_s + dept + u",OU=Staff,"_s + kBaseDn;
        if (type == Type::User) {
            a.givenName = first;
            a.sn = last;
        }
        a.upn = upn;
        a.mail = upn;
        a.alias = alias;
        a.target = u"SMTP:"_s + alias + u'@' + kRoutingDomain;
        a.proxies = {u"SMTP:"_s + upn, u"smtp:"_s + alias + u'@' + kRoutingDomain};
        if (m_rng.below(3) == 0)
            a.proxies << u"smtp:"_s + alias.left(1) + alias.mid(alias.indexOf(u'.') + 1) + u'@' + kDomain;
        if (m_rng.below(4) == 0)
            a.proxies << u"X500:/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn="_s +
                             QString::fromLatin1(m_rng.bytes(16).toHex()) + u'-' + alias.left(8);
        const CloudMailboxType t = domainType(type);
        a.recipientTypeDetails = QString::number(remoteRecipientTypeFor(t));
        a.displayType = QString::number(acceptedDisplayTypesFor(t).front());
        a.remoteType = QString::number(RemoteRecipientFlag::Migrated | remoteRecipientTypeBitsFor(t));
        a.objectGuid = m_rng.bytes(16);
        a.sidBinary = *sidFromText(m.sid.toLatin1());
        a.hasConsistencyGuid = m_rng.below(100) < 85; // older objects were synced before ms-DS-ConsistencyGuid
        if (m_rng.below(10) < 3)
            a.ext[0] = dept.left(2).toUpper() + u'-' + QString::number(100 + m_rng.below(900));
        if (m_rng.below(10) < 2)
            a.ext[1] = dept;
        if (m_rng.below(20) == 0)
            a.extMulti[0] = {u"Badge:"_s + QString::number(m_rng.below(99999)), u"Floor:"_s + QString::number(m_rng.below(12))};
        if (m_rng.below(25) == 0)
            a.hide = u"FALSE"_s; // explicit FALSE compares equal to the cloud's false
        a.whenChanged = m_o.asOfMsecs - 2 * kDay - qint64(m_rng.below(28 * 24 * 60)) * 60000;

        CloudSide& c = m.cloud;
        c.upn = upn;
        c.primary = upn;
        c.windowsEmail = upn;
        c.alias = alias;
        c.type = cloudTypeName(type);
        c.addresses = a.proxies;
        m_rng.shuffle(c.addresses); // the primary need not come first
        c.custom = a.ext;
        c.extCustom = a.extMulti;
        if (c.extCustom[0].size() > 1)
            std::swap(c.extCustom[0][0], c.extCustom[0][1]); // order is irrelevant
        c.whenChanged = a.whenChanged - qint64(m_rng.below(600)) * 1000;
        return m;
    }

    Mailbox makeBigMailbox(int i)
    {
        Mailbox m = makeMailbox(i, Type::Shared, {}, {}, u"Info Desk"_s, u"info"_s, u"Info Desk"_s, u"Support"_s);
        for (int k = 0; k < 1598; ++k)
            m.ad.proxies << u"smtp:info%1@"_s.arg(k, 4, 10, QChar(u'0')) + kDomain;
        m.cloud.addresses = m.ad.proxies;
        m_rng.shuffle(m.cloud.addresses);
        return m;
    }

    void expect(int i, const QString& attribute, const QString& severity, const QString& cause)
    {
        const Mailbox& m = m_boxes[size_t(i)];
        m_expected.push_back({m.cloud.upn, m.ad.dn, attribute, severity, cause});
        m_planted.insert(i);
    }

    int userAt(int from)
    {
        int i = from;
        while (m_boxes[size_t(i)].cloud.type != "UserMailbox"_L1 || m_planted.contains(i) || i == 14)
            ++i;
        m_planted.insert(i);
        return i;
    }

    void plant()
    {
        // Each scenario on its own user mailbox; the manifest lists what the diff must find.
        // Causes are measured from Cloud Sync's files (syncJobsJson, syncSchemaJson, provisioningJson): the domain's
        // job last ran successfully 10 minutes before asOf, every 20 minutes, without a mapping for mail.
        int i = 1; // Müller, Jürgen: a changed custom attribute Cloud Sync could not write back in its last 3 cycles
        m_boxes[1].ad.ext[0] = u"DE-Marketing"_s;
        m_boxes[1].cloud.custom[0] = u"DE-Sales"_s;
        for (const qint64 minutesAgo : {48, 68, 88}) // newest first, as Graph's pages come [observed]
            plantEntry(insufficientRights(1, m_o.asOfMsecs - minutesAgo * kMinute, u"extensionAttribute1"));
        expect(1, u"extensionAttribute1"_s, u"normal"_s, u"writebackFailed"_s);

        i = userAt(2); // an alias removed in the cloud, still in AD: the object is out of the writeback's scope
        m_boxes[size_t(i)].ad.proxies << u"smtp:old.alias.%1@"_s.arg(i) + kDomain;
        plantEntry({i, m_o.asOfMsecs - 30 * kMinute, "skipped"_L1, {}, {}, {}, {}, u"NotInScope"_s, {}});
        expect(i, u"proxyAddresses"_s, u"warning"_s, u"writebackSkipped"_s);

        i = userAt(i); // an alias added in the cloud after the last run: pending
        m_boxes[size_t(i)].cloud.addresses << u"smtp:new.alias.%1@"_s.arg(i) + kDomain;
        m_boxes[size_t(i)].cloud.whenChanged = m_o.asOfMsecs - 5 * kMinute;
        plantEntry({i, m_o.asOfMsecs - 3 * kDay, "success"_L1, {}, {}, {}, {}, {}, {u"proxyAddresses"_s}});
        expect(i, u"proxyAddresses"_s, u"critical"_s, u"writebackPending"_s);

        i = userAt(i); // hidden from the GAL in the cloud only (not written back)
        m_boxes[size_t(i)].cloud.hidden = true;
        expect(i, u"msExchHideFromAddressLists"_s, u"warning"_s, u"notWrittenBack"_s);

        i = userAt(i); // a different primary SMTP, changed after the last run; the job does not map mail
        {
            Mailbox& m = m_boxes[size_t(i)];
            const QString newPrimary = u"renamed.%1@"_s.arg(i) + kDomain;
            for (QString& a : m.cloud.addresses)
                if (a.startsWith(u"SMTP:"_s))
                    a.replace(0, 4, u"smtp"_s);
            m.cloud.addresses << u"SMTP:"_s + newPrimary;
            m.cloud.primary = newPrimary;
            m.cloud.windowsEmail = newPrimary;
            m.cloud.whenChanged = m_o.asOfMsecs - 2 * kMinute;
            expect(i, u"proxyAddresses"_s, u"critical"_s, u"writebackPending"_s);
            expect(i, u"mail"_s, u"critical"_s, u"notMapped"_s);
        }

        i = userAt(i); // AD says UserMailbox (1) for a cloud mailbox; no log entry for it in the log read and no AD
                       // replication metadata: unexplained, saying so
        m_boxes[size_t(i)].ad.recipientTypeDetails = QString::number(RecipientTypeValue::UserMailbox);
        expect(i, u"msExchRecipientTypeDetails"_s, u"critical"_s, u"unexplained"_s);

        i = userAt(i); // converted to shared in the cloud; likewise unexplained
        m_boxes[size_t(i)].cloud.type = u"SharedMailbox"_s;
        expect(i, u"msExchRecipientTypeDetails"_s, u"critical"_s, u"unexplained"_s);
        expect(i, u"msExchRemoteRecipientType"_s, u"normal"_s, u"notWrittenBack"_s);

        i = userAt(i); // a trailing space in AD; the last cycle found both sides equal (RedundantExport), and
                       // without AD's replication metadata nothing read says who wrote it since: unexplained
        m_boxes[size_t(i)].ad.ext[1] = u"Finance "_s;
        m_boxes[size_t(i)].cloud.custom[1] = u"Finance"_s;
        plantEntry({i, m_o.asOfMsecs - 70 * kMinute, "skipped"_L1, {}, {}, {}, {}, u"RedundantExport"_s, {}});
        expect(i, u"extensionAttribute2"_s, u"normal"_s, u"unexplained"_s);

        i = userAt(i); // not cloud-managed: AD is still the source
        m_boxes[size_t(i)].cloud.cloudManaged = false;
        m_boxes[size_t(i)].cloud.custom[4] = u"Edited in EXO"_s;
        expect(i, u"extensionAttribute5"_s, u"normal"_s, u"notCloudManaged"_s);

        i = userAt(i); // changed in the cloud minutes ago, after the job's last run: pending
        m_boxes[size_t(i)].cloud.custom[2] = u"Project Sunrise"_s;
        m_boxes[size_t(i)].cloud.whenChanged = m_o.asOfMsecs;
        expect(i, u"extensionAttribute3"_s, u"normal"_s, u"writebackPending"_s);

        i = userAt(i); // a value added to a multi-valued custom attribute, in the child domain whose job is quarantined
        m_boxes[size_t(i)].ad.extMulti[0] = {u"Badge:4711"_s};
        m_boxes[size_t(i)].cloud.extCustom[0] = {u"Badge:4711"_s, u"Parking:P2"_s};
        m_boxes[size_t(i)].ad.dn.replace(kBaseDn, kChildBaseDn);
        expect(i, u"msExchExtensionCustomAttribute1"_s, u"normal"_s, u"jobUnhealthy"_s);

        i = userAt(i); // targetAddress still points at a former tenant
        m_boxes[size_t(i)].ad.target = u"SMTP:"_s + m_boxes[size_t(i)].ad.alias + u"@fabrikam.mail.onmicrosoft.com"_s;
        expect(i, u"targetAddress"_s, u"critical"_s, u"notWrittenBack"_s);

        i = userAt(i); // alias changed in the cloud (not written back)
        m_boxes[size_t(i)].cloud.alias = m_boxes[size_t(i)].ad.alias + u"-new"_s;
        expect(i, u"mailNickname"_s, u"warning"_s, u"notWrittenBack"_s);

        i = userAt(i); // no hard key on either side: matched by UPN, shown as soft
        m_boxes[size_t(i)].graphHasAnchors = false;
        m_boxes[size_t(i)].ad.hasExternalId = false;
        m_softMatched << m_boxes[size_t(i)].cloud.upn;

        for (int k = 0; k < 2; ++k) { // remote mailboxes whose cloud mailbox is gone
            i = userAt(i);
            m_boxes[size_t(i)].inCloud = false;
            m_adOnly << m_boxes[size_t(i)].ad.dn;
        }

        i = userAt(i); // a restored duplicate in AD holding the same primary SMTP: ambiguous
        {
            Mailbox& m = m_boxes[size_t(i)];
            m.graphHasAnchors = false;
            m.ad.hasExternalId = false;
            m.cloud.upn = m.ad.alias + u".renamed@"_s + kDomain; // renamed in the cloud: UPNs differ
            Mailbox dup = m;
            dup.ad.dn = u"CN="_s + escapeDnValue(m.ad.cn) + u" (restored),OU=Disabled,"_s + kBaseDn;
            dup.ad.cn = m.ad.cn + u" (restored)"_s;
            dup.ad.upn = m.ad.alias + u".restored@"_s + kDomain;
            dup.ad.objectGuid = m_rng.bytes(16);
            dup.ad.sidBinary = *sidFromText((kDomainSid + u"-99"_s + QString::number(i)).toLatin1());
            dup.inCloud = false;
            m_ambiguous = {u"primarySmtpAddress"_s, m.cloud.primary, {m.ad.dn, dup.ad.dn}, {m.cloud.upn}};
            m_boxes.push_back(dup);
            m_planted.insert(int(m_boxes.size()) - 1);
        }

        for (int k = 0; k < 2; ++k) { // created in the cloud, never in AD
            Mailbox m = makeMailbox(int(m_boxes.size()), Type::User, u"Cloud"_s, u"Only"_s,
                                    u"Cloud Only %1"_s.arg(k + 1), u"cloud.only%1"_s.arg(k + 1),
                                    u"Cloud Only %1"_s.arg(k + 1), u"Sales"_s);
            m.inAd = false;
            m.graphHasAnchors = false;
            m.cloud.dirSynced = false;
            m_cloudOnly << m.cloud.upn;
            m_boxes.push_back(m);
            m_planted.insert(int(m_boxes.size()) - 1);
        }

        // Written back by Cloud Sync 6 hours before asOf (the log's success entry lists extensionAttribute4), then
        // changed again in AD 2 hours before asOf on DC02 by another writer: AD's replication metadata (in the
        // LDIF, decoded with the dictionary entries before the mailboxes) shows the later originating change.
        i = userAt(i);
        {
            Mailbox& m = m_boxes[size_t(i)];
            const qint64 writeback = m_o.asOfMsecs - 6 * 60 * kMinute;
            m.cloud.custom[3] = u"Cost centre 4100"_s;
            m.ad.ext[3] = u"Cost centre 4200"_s;
            m.ad.whenChanged = m_o.asOfMsecs - 2 * 60 * kMinute; // the other writer's change
            plantEntry({i, writeback, "success"_L1, {}, {}, {}, {}, {}, {u"extensionAttribute4"_s}});
            // Two cycles before it failed (the agent's account lacked the right, since granted): the Writeback
            // panel lists the object as recovered; its drift's cause, from the latest entry, is unchanged.
            for (const qint64 minutesAgo : {6 * 60 + 20, 6 * 60 + 40})
                plantEntry(insufficientRights(i, m_o.asOfMsecs - minutesAgo * kMinute, u"extensionAttribute4"));
            m.ad.replPropertyMetaData = encodeReplPropertyMetaData({
                {0x00000000u, 1, m_o.asOfMsecs - 400 * kDay, kDemoDcs[0].invocationId, 4101, 4101}, // objectClass
                {kExtensionAttribute4Attid, 3, m_o.asOfMsecs - 2 * 60 * kMinute, kDemoDcs[1].invocationId, 88213,
                 90417},
            });
            expect(i, u"extensionAttribute4"_s, u"normal"_s, u"changedInAdAfterWriteback"_s);
        }
    }

    // --- LDIF (ldifde style: changetype: add, binary and non-ASCII values base64, lines folded at 76) ---

    static bool needsBase64(const QByteArray& v)
    {
        if (v.isEmpty())
            return false;
        if (v[0] == ' ' || v[0] == ':' || v[0] == '<' || v.endsWith(' '))
            return true;
        return std::any_of(v.begin(), v.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return u >= 0x80 || u == 0 || u == '\n' || u == '\r';
        });
    }

    static void ldifLine(QByteArray& out, const char* attr, const QByteArray& value, bool binary = false)
    {
        QByteArray line = attr;
        if (binary || needsBase64(value))
            line += ":: " + value.toBase64();
        else
            line += ": " + value;
        qsizetype pos = 0;
        qsizetype width = 76;
        while (line.size() - pos > width) {
            out += line.mid(pos, width);
            out += "\n ";
            pos += width;
            width = 75;
        }
        out += line.mid(pos);
        out += '\n';
    }
    static void ldifLine(QByteArray& out, const char* attr, const QString& value)
    {
        ldifLine(out, attr, value.toUtf8());
    }

    // What decodes replPropertyMetaData, as `sunset-cli dump` writes it before the mailboxes: the catalog
    // attribute's attributeSchema entry and each DC's server and nTDSDSA entries (ReplicationMetadataDecoder).
    static void writeMetadataDictionary(QByteArray& out)
    {
        out += "# What decodes the mailboxes' replPropertyMetaData (as sunset-cli dump writes it)\n";
        ldifLine(out, "dn", u"CN=ms-Exch-Extension-Attribute-4,CN=Schema,CN=Configuration,"_s + kBaseDn);
        out += "changetype: add\nobjectClass: top\nobjectClass: attributeSchema\n"
               "lDAPDisplayName: extensionAttribute4\n";
        ldifLine(out, "attributeID", QString(kExtensionAttribute4Oid));
        out += '\n';
        for (const DemoDc& dc : kDemoDcs) {
            const QString server = u"CN="_s + dc.name + u",CN=Servers,CN=Default-First-Site-Name,CN=Sites,"
                                                         "CN=Configuration,"_s + kBaseDn;
            ldifLine(out, "dn", server);
            out += "changetype: add\nobjectClass: top\nobjectClass: server\n";
            ldifLine(out, "dNSHostName", QString(dc.host));
            out += '\n';
            ldifLine(out, "dn", u"CN=NTDS Settings,"_s + server);
            out += "changetype: add\nobjectClass: top\nobjectClass: applicationSettings\nobjectClass: nTDSDSA\n";
            ldifLine(out, "invocationId", dc.invocationId, true);
            out += '\n';
        }
    }

    void writeLdif(const std::function<void(const QByteArray&)>& sink)
    {
        QByteArray out = "# Sunset demo tenant: Active Directory side (ldifde -f demo-ad.ldif -d \"DC=contoso,DC=com\")\n"
                         "version: 1\n\n";
        for (const QLatin1StringView dept : kDepartments) {
            ldifLine(out, "dn", u"OU="_s + dept + u",OU=Staff,"_s + kBaseDn);
            out += "changetype: add\nobjectClass: top\nobjectClass: organizationalUnit\n";
            ldifLine(out, "ou", QString(dept));
            out += '\n';
        }
        out += "dn: CN=All Staff,OU=Staff,DC=contoso,DC=com\nchangetype: add\nobjectClass: top\nobjectClass: group\n"
               "cn: All Staff\n\n"
               "dn: CN=EXCH01,OU=Servers,DC=contoso,DC=com\nchangetype: add\nobjectClass: top\nobjectClass: person\n"
               "objectClass: organizationalPerson\nobjectClass: user\nobjectClass: computer\ncn: EXCH01\n"
               "mailNickname: EXCH01\n\n"
               "dn: CN=provAgentgMSA,CN=Managed Service Accounts,DC=contoso,DC=com\nchangetype: add\n"
               "objectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\nobjectClass: user\n"
               "objectClass: computer\nobjectClass: msDS-GroupManagedServiceAccount\ncn: provAgentgMSA\n\n";
        m_adSkipped = int(kDepartments.size()) + 3;
        if (std::any_of(m_boxes.begin(), m_boxes.end(), [](const Mailbox& m) { return !m.ad.replPropertyMetaData.isEmpty(); }))
            writeMetadataDictionary(out);
        for (const Mailbox& m : m_boxes) {
            if (!m.inAd)
                continue;
            const AdSide& a = m.ad;
            ldifLine(out, "dn", a.dn);
            out += "changetype: add\nobjectClass: top\nobjectClass: person\nobjectClass: organizationalPerson\n"
                   "objectClass: user\n";
            ldifLine(out, "cn", a.cn);
            if (!a.sn.isEmpty())
                ldifLine(out, "sn", a.sn);
            if (!a.givenName.isEmpty())
                ldifLine(out, "givenName", a.givenName);
            ldifLine(out, "displayName", m.display);
            ldifLine(out, "userPrincipalName", a.upn);
            ldifLine(out, "mail", a.mail);
            ldifLine(out, "mailNickname", a.alias);
            if (a.proxies.size() > 1500) {
                // ldifde asks for ranges itself; it writes what it got under the ranged names.
                for (qsizetype k = 0; k < a.proxies.size(); ++k)
                    ldifLine(out, k < 1500 ? "proxyAddresses;range=0-1499" : "proxyAddresses;range=1500-*",
                             a.proxies[k]);
            } else {
                for (const QString& p : a.proxies)
                    ldifLine(out, "proxyAddresses", p);
            }
            ldifLine(out, "targetAddress", a.target);
            ldifLine(out, "msExchRecipientTypeDetails", a.recipientTypeDetails);
            ldifLine(out, "msExchRecipientDisplayType", a.displayType);
            ldifLine(out, "msExchRemoteRecipientType", a.remoteType);
            if (!a.hide.isEmpty())
                ldifLine(out, "msExchHideFromAddressLists", a.hide);
            if (a.hasExternalId)
                ldifLine(out, "msDS-ExternalDirectoryObjectId", u"User_"_s + QString::fromLatin1(m.externalId));
            ldifLine(out, "objectGUID", a.objectGuid, true);
            if (a.hasConsistencyGuid)
                ldifLine(out, "mS-DS-ConsistencyGuid", a.objectGuid, true);
            ldifLine(out, "objectSid", a.sidBinary, true);
            for (int k = 0; k < 15; ++k)
                if (!a.ext[size_t(k)].isEmpty())
                    ldifLine(out, QByteArray("extensionAttribute" + QByteArray::number(k + 1)).constData(),
                             a.ext[size_t(k)]);
            for (int k = 0; k < 5; ++k)
                for (const QString& v : a.extMulti[size_t(k)])
                    ldifLine(out, QByteArray("msExchExtensionCustomAttribute" + QByteArray::number(k + 1)).constData(), v);
            ldifLine(out, "whenChanged",
                     QDateTime::fromMSecsSinceEpoch(a.whenChanged, Qt::UTC).toString(u"yyyyMMddHHmmss'.0Z'"_s));
            if (!a.replPropertyMetaData.isEmpty())
                ldifLine(out, "replPropertyMetaData", a.replPropertyMetaData, true);
            out += '\n';
            if (out.size() > kChunk) {
                sink(out);
                out.clear();
            }
        }
        sink(out);
    }

    // --- Get-Mailbox | ConvertTo-Json -Depth 4 (PowerShell 7 layout, with the admin API's annotations) ---

    QByteArray graphAnchor(const Mailbox& m) const
    {
        return sourceAnchorOf(m.ad.objectGuid); // ms-DS-ConsistencyGuid holds the objectGUID bytes
    }

    void writeExoJson(const std::function<void(const QByteArray&)>& sink)
    {
        JsonWriter w;
        w.beginArray();
        for (const Mailbox& m : m_boxes) {
            if (!m.inCloud)
                continue;
            const CloudSide& c = m.cloud;
            w.beginObject();
            w.key("Name"_L1).value(c.alias);
            w.key("DisplayName"_L1).value(m.display);
            w.key("Alias"_L1).value(c.alias);
            w.key("UserPrincipalName"_L1).value(c.upn);
            w.key("PrimarySmtpAddress"_L1).value(c.primary);
            w.key("WindowsEmailAddress"_L1).value(c.windowsEmail);
            w.key("RecipientTypeDetails"_L1).value(c.type);
            w.key("IsDirSynced"_L1).value(c.dirSynced);
            w.key("IsExchangeCloudManaged"_L1).value(c.cloudManaged);
            w.key("HiddenFromAddressListsEnabled"_L1).value(c.hidden);
            w.key("ExternalDirectoryObjectId"_L1).value(QString::fromLatin1(m.externalId));
            w.key("ExchangeGuid@odata.type"_L1).value("#Guid"_L1);
            w.key("ExchangeGuid"_L1).value(QString::fromLatin1(m.exchangeGuid));
            w.key("EmailAddresses@odata.type"_L1).value("#Collection(String)"_L1);
            w.key("EmailAddresses"_L1).stringArray(c.addresses);
            static const std::array<QLatin1StringView, 15> custom{
                "CustomAttribute1"_L1,  "CustomAttribute2"_L1,  "CustomAttribute3"_L1,  "CustomAttribute4"_L1,
                "CustomAttribute5"_L1,  "CustomAttribute6"_L1,  "CustomAttribute7"_L1,  "CustomAttribute8"_L1,
                "CustomAttribute9"_L1,  "CustomAttribute10"_L1, "CustomAttribute11"_L1, "CustomAttribute12"_L1,
                "CustomAttribute13"_L1, "CustomAttribute14"_L1, "CustomAttribute15"_L1};
            for (int k = 0; k < 15; ++k)
                w.key(custom[size_t(k)]).value(c.custom[size_t(k)]);
            static const std::array<QLatin1StringView, 5> ext{
                "ExtensionCustomAttribute1"_L1, "ExtensionCustomAttribute2"_L1, "ExtensionCustomAttribute3"_L1,
                "ExtensionCustomAttribute4"_L1, "ExtensionCustomAttribute5"_L1};
            for (int k = 0; k < 5; ++k)
                w.key(ext[size_t(k)]).stringArray(c.extCustom[size_t(k)]);
            w.key("WhenChangedUTC"_L1).value(isoTime(c.whenChanged, true));
            w.endObject();
            if (w.buffer().size() > kChunk)
                sink(w.take());
        }
        w.endArray();
        QByteArray tail = w.take();
        tail += '\n';
        sink(tail);
    }

    // --- the same through Export-Csv -NoTypeInformation, multi-valued properties joined with ';' ---

    static QByteArray csvField(const QString& v)
    {
        QByteArray q = v.toUtf8();
        q.replace("\"", "\"\"");
        return '"' + q + '"';
    }

    void writeExoCsv(const std::function<void(const QByteArray&)>& sink)
    {
        QByteArray out = "\"DisplayName\",\"Alias\",\"UserPrincipalName\",\"PrimarySmtpAddress\",\"WindowsEmailAddress\","
                         "\"RecipientTypeDetails\",\"IsDirSynced\",\"IsExchangeCloudManaged\","
                         "\"HiddenFromAddressListsEnabled\",\"ExternalDirectoryObjectId\",\"EmailAddresses\"";
        for (int k = 1; k <= 15; ++k)
            out += ",\"CustomAttribute" + QByteArray::number(k) + '"';
        for (int k = 1; k <= 5; ++k)
            out += ",\"ExtensionCustomAttribute" + QByteArray::number(k) + '"';
        out += ",\"WhenChangedUTC\"\r\n";
        const auto boolText = [](bool b) { return b ? u"True"_s : u"False"_s; };
        for (const Mailbox& m : m_boxes) {
            if (!m.inCloud)
                continue;
            const CloudSide& c = m.cloud;
            QList<QByteArray> f{csvField(m.display), csvField(c.alias), csvField(c.upn), csvField(c.primary),
                                csvField(c.windowsEmail), csvField(c.type), csvField(boolText(c.dirSynced)),
                                csvField(boolText(c.cloudManaged)), csvField(boolText(c.hidden)),
                                csvField(QString::fromLatin1(m.externalId)), csvField(c.addresses.join(u';'))};
            for (const QString& v : c.custom)
                f << csvField(v);
            for (const QStringList& v : c.extCustom)
                f << csvField(v.join(u';'));
            f << csvField(QDateTime::fromMSecsSinceEpoch(c.whenChanged, Qt::UTC).toString(u"M/d/yyyy h:mm:ss AP"_s));
            out += f.join(',') + "\r\n";
            if (out.size() > kChunk) {
                sink(out);
                out.clear();
            }
        }
        sink(out);
    }

    // --- Graph users, as pages of 999 collected into one array ---

    void writeGraph(const std::function<void(const QByteArray&)>& sink)
    {
        JsonWriter w;
        w.beginArray();
        int onPage = 0, page = 0;
        const auto openPage = [&] {
            w.beginObject();
            w.key("@odata.context"_L1).value(
                "https://graph.microsoft.com/v1.0/$metadata#users(id,userPrincipalName,mail,mailNickname,"
                "proxyAddresses,onPremisesImmutableId,onPremisesSecurityIdentifier,onPremisesSyncEnabled,"
                "onPremisesExtensionAttributes)"_L1);
            w.key("value"_L1).beginArray();
        };
        openPage();
        for (const Mailbox& m : m_boxes) {
            if (!m.inCloud)
                continue;
            if (onPage == 999) {
                w.endArray();
                w.key("@odata.nextLink"_L1).value(
                    u"https://graph.microsoft.com/v1.0/users?$top=999&$skiptoken=demo%1"_s.arg(++page));
                w.endObject();
                openPage();
                onPage = 0;
            }
            ++onPage;
            w.beginObject();
            w.key("id"_L1).value(QString::fromLatin1(m.externalId));
            w.key("userPrincipalName"_L1).value(m.cloud.upn);
            w.key("mail"_L1).value(m.cloud.primary);
            w.key("mailNickname"_L1).value(m.cloud.alias);
            w.key("proxyAddresses"_L1).stringArray(m.cloud.addresses);
            w.key("onPremisesImmutableId"_L1);
            if (m.graphHasAnchors && m.inAd)
                w.value(QString::fromLatin1(graphAnchor(m)));
            else
                w.null();
            w.key("onPremisesSecurityIdentifier"_L1);
            if (m.graphHasAnchors && m.inAd)
                w.value(m.sid);
            else
                w.null();
            w.key("onPremisesSyncEnabled"_L1);
            if (m.cloud.dirSynced)
                w.value(true);
            else
                w.null();
            w.key("onPremisesExtensionAttributes"_L1).beginObject();
            for (int k = 0; k < 15; ++k) {
                w.key(QLatin1StringView(m_extNames[size_t(k)]));
                if (m.cloud.custom[size_t(k)].isEmpty())
                    w.null();
                else
                    w.value(m.cloud.custom[size_t(k)]);
            }
            w.endObject();
            w.endObject();
            if (w.buffer().size() > kChunk)
                sink(w.take());
        }
        w.endArray();
        w.endObject();
        w.endArray();
        QByteArray tail = w.take();
        tail += '\n';
        sink(tail);
    }

    void plantEntry(PlantedEntry entry) { m_entries.push_back(std::move(entry)); }

    // A writeback the Cloud Sync agent's account had no right to make in the mailbox's OU.
    PlantedEntry insufficientRights(int box, qint64 when, QStringView attribute) const
    {
        return {box, when, "failure"_L1, u"InsufficientRights"_s, u"NonServiceFailure"_s,
                u"The Cloud Sync agent's account has no right to write %1 of this object."_s.arg(attribute),
                u"Grant its account write access to "_s + parentOf(m_boxes[size_t(box)].ad.dn) + u'.', {}, {}};
    }

    static QString parentOf(const QString& dn)
    {
        for (qsizetype i = 0; i < dn.size(); ++i) {
            if (dn[i] == u'\\')
                ++i;
            else if (dn[i] == u',')
                return dn.mid(i + 1);
        }
        return dn;
    }

    // --- Cloud Sync's state (Graph v1.0 synchronizationJob, synchronizationSchema, provisioningObjectSummary) ---

    static void writeExecution(JsonWriter& w, QLatin1StringView name, qint64 began, qint64 ended, QLatin1StringView state)
    {
        w.key(name).beginObject();
        w.key("timeBegan"_L1).value(isoTime(began, false));
        w.key("timeEnded"_L1).value(isoTime(ended, false));
        w.key("state"_L1).value(state);
        w.key("countExported"_L1).value(qint64(0));
        w.key("error"_L1).null();
        w.endObject();
    }

    // The job's objects in scope: the cloud-managed mailboxes of its domain with a side in both directories.
    qint64 objectsInScope(bool child) const
    {
        qint64 n = 0;
        for (const Mailbox& m : m_boxes)
            n += m.inAd && m.inCloud && m.cloud.cloudManaged && m.ad.dn.endsWith(kChildBaseDn) == child ? 1 : 0;
        return n;
    }

    void writeJob(JsonWriter& w, QLatin1StringView id, const QString& domain, bool quarantined) const
    {
        const qint64 lastRun = quarantined ? m_o.asOfMsecs - 27 * 60 * kMinute : m_o.asOfMsecs - 10 * kMinute;
        w.beginObject();
        w.key("id"_L1).value(id);
        w.key("templateId"_L1).value("Entra2ADExchangeOnlineAttributeWriteback"_L1);
        w.key("schedule"_L1).beginObject();
        w.key("expiration"_L1).null();
        w.key("interval"_L1).value("PT20M"_L1);
        w.key("state"_L1).value("Active"_L1);
        w.endObject();
        w.key("status"_L1).beginObject();
        w.key("code"_L1).value(quarantined ? "Quarantine"_L1 : "Active"_L1);
        w.key("countSuccessiveCompleteFailures"_L1).value(qint64(quarantined ? 3 : 0));
        w.key("escrowsPruned"_L1).value(false);
        writeExecution(w, "lastExecution"_L1, m_o.asOfMsecs - 11 * kMinute, m_o.asOfMsecs - 10 * kMinute,
                       quarantined ? "Failed"_L1 : "Succeeded"_L1);
        writeExecution(w, "lastSuccessfulExecution"_L1, lastRun - kMinute, lastRun, "Succeeded"_L1);
        writeExecution(w, "lastSuccessfulExecutionWithExports"_L1, lastRun - kMinute, lastRun, "Succeeded"_L1);
        w.key("quarantine"_L1);
        if (quarantined) {
            const qint64 began = m_o.asOfMsecs - 26 * 60 * kMinute;
            w.beginObject();
            w.key("currentBegan"_L1).value(isoTime(began, false));
            w.key("nextAttempt"_L1).value(isoTime(m_o.asOfMsecs + 6 * 60 * kMinute, false));
            w.key("reason"_L1).value("EncounteredQuarantineException"_L1);
            w.key("seriesBegan"_L1).value(isoTime(began, false));
            w.key("seriesCount"_L1).value(qint64(3));
            w.endObject();
        } else {
            w.null();
        }
        w.key("steadyStateFirstAchievedTime"_L1).value(isoTime(m_o.asOfMsecs - 90 * kDay, false));
        w.key("steadyStateLastAchievedTime"_L1).value(isoTime(lastRun, false));
        w.key("synchronizedEntryCountByType"_L1).beginArray();
        w.beginObject();
        w.key("key"_L1).value("User to user"_L1);
        w.key("value"_L1).value(objectsInScope(domain != kDomain));
        w.endObject();
        w.endArray();
        w.key("troubleshootingUrl"_L1).null();
        w.endObject();
        w.key("synchronizationJobSettings"_L1).beginArray();
        w.beginObject();
        w.key("name"_L1).value("DomainFQDN"_L1);
        w.key("value"_L1).value(domain);
        w.endObject();
        w.endArray();
        w.endObject();
    }

    QByteArray syncJobsJson() const
    {
        JsonWriter w;
        w.beginObject();
        w.key("@odata.context"_L1).value(
            "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('demo')/synchronization/jobs"_L1);
        w.key("value"_L1).beginArray();
        writeJob(w, kJobId, kDomain, false);
        writeJob(w, kChildJobId, u"emea."_s + kDomain, true);
        w.endArray();
        w.endObject();
        QByteArray out = w.take();
        out += '\n';
        return out;
    }

    // One schema answer per job, concatenated as `>>` would save them. The main domain's job was configured
    // before mail was mapped (2026-08-03) and never had "Restore default mappings".
    QByteArray syncSchemaJson() const
    {
        QByteArray out;
        for (const bool child : {false, true}) {
            JsonWriter w;
            w.beginObject();
            w.key("id"_L1).value(child ? kChildJobId : kJobId);
            w.key("version"_L1).value("date:2026-08-01T00:00:00Z"_L1);
            w.key("synchronizationRules"_L1).beginArray();
            w.beginObject();
            w.key("id"_L1).value("Entra2ADExchangeOnlineAttributeWriteback"_L1);
            w.key("name"_L1).value("USER_ENTRA_TO_AD"_L1);
            w.key("editable"_L1).value(true);
            w.key("sourceDirectoryName"_L1).value("Azure Active Directory"_L1);
            w.key("targetDirectoryName"_L1).value("Active Directory"_L1);
            w.key("objectMappings"_L1).beginArray();
            w.beginObject();
            w.key("name"_L1).value("Provision Entra ID users"_L1);
            w.key("enabled"_L1).value(true);
            w.key("flowTypes"_L1).value("Add, Update"_L1);
            w.key("sourceObjectName"_L1).value("user"_L1);
            w.key("targetObjectName"_L1).value("user"_L1);
            w.key("attributeMappings"_L1).beginArray();
            for (const AttributeSpec& spec : AttributeCatalog::all()) {
                if (!spec.writtenBackByCloudSync || (!child && spec.id == AttributeId::Mail))
                    continue;
                w.beginObject();
                w.key("targetAttributeName"_L1).value(spec.ldapName);
                w.key("source"_L1).beginObject();
                w.key("expression"_L1).value(u"["_s + spec.exoName + u']');
                w.key("name"_L1).value(spec.exoName);
                w.key("type"_L1).value("Attribute"_L1);
                w.key("parameters"_L1).beginArray();
                w.endArray();
                w.endObject();
                w.key("flowType"_L1).value("Always"_L1);
                w.key("flowBehavior"_L1).value("FlowWhenChanged"_L1);
                w.key("matchingPriority"_L1).value(qint64(0));
                w.endObject();
            }
            w.endArray();
            w.endObject();
            w.endArray();
            w.endObject();
            w.endArray();
            w.key("directories"_L1).beginArray();
            w.endArray();
            w.endObject();
            out += w.take();
            out += '\n';
        }
        return out;
    }

    QByteArray provisioningJson() const
    {
        JsonWriter w;
        w.beginObject();
        w.key("@odata.context"_L1).value("https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning"_L1);
        w.key("value"_L1).beginArray();
        int n = 0;
        for (const PlantedEntry& e : m_entries) {
            const Mailbox& m = m_boxes[size_t(e.box)];
            const QString number = QString::number(++n).rightJustified(12, u'0');
            w.beginObject();
            w.key("id"_L1).value(u"c0ffee00-0000-4000-8000-"_s + number);
            w.key("activityDateTime"_L1).value(isoTime(e.when, false));
            w.key("changeId"_L1).value(u"c0ffee01-0000-4000-8000-"_s + number);
            w.key("cycleId"_L1).value(u"c0ffee02-0000-4000-8000-"_s + number);
            w.key("durationInMilliseconds"_L1).value(qint64(412));
            w.key("jobId"_L1).value(kJobId);
            w.key("provisioningAction"_L1).value(e.status == "skipped"_L1 ? "other"_L1 : "update"_L1);
            w.key("initiatedBy"_L1).beginObject();
            w.key("id"_L1).value(""_L1);
            w.key("displayName"_L1).value("Azure AD Provisioning Service"_L1);
            w.key("initiatorType"_L1).value("system"_L1);
            w.endObject();
            w.key("sourceIdentity"_L1).beginObject();
            w.key("id"_L1).value(QString::fromLatin1(m.externalId));
            w.key("displayName"_L1).value(m.display);
            w.key("identityType"_L1).value("User"_L1);
            w.endObject();
            w.key("targetIdentity"_L1).beginObject();
            w.key("id"_L1).value(""_L1);
            w.key("displayName"_L1).value(m.ad.dn);
            w.key("identityType"_L1).value("user"_L1);
            w.endObject();
            w.key("provisioningStatusInfo"_L1).beginObject();
            w.key("status"_L1).value(e.status);
            w.key("errorInformation"_L1);
            if (e.errorCode.isEmpty()) {
                w.null();
            } else {
                w.beginObject();
                w.key("errorCode"_L1).value(e.errorCode);
                w.key("errorCategory"_L1).value(e.errorCategory);
                w.key("reason"_L1).value(e.reason);
                w.key("additionalDetails"_L1).null();
                w.key("recommendedAction"_L1).value(e.recommendedAction);
                w.endObject();
            }
            w.endObject();
            w.key("provisioningSteps"_L1).beginArray();
            if (!e.skipReason.isEmpty()) {
                w.beginObject();
                w.key("name"_L1).value("EntrySynchronizationSkip"_L1);
                w.key("provisioningStepType"_L1).value("scoping"_L1);
                w.key("status"_L1).value("skipped"_L1);
                w.key("details"_L1).beginObject();
                w.key("SkipReason"_L1).value(e.skipReason);
                w.endObject();
                w.endObject();
            }
            w.endArray();
            w.key("modifiedProperties"_L1).beginArray();
            for (const QString& attribute : e.modified) {
                w.beginObject();
                w.key("displayName"_L1).value(attribute);
                w.key("oldValue"_L1).null();
                w.key("newValue"_L1).value(u"(as Exchange Online held it then)"_s);
                w.endObject();
            }
            w.endArray();
            w.endObject();
        }
        w.endArray();
        w.endObject();
        QByteArray out = w.take();
        out += '\n';
        return out;
    }

    void writeManifest(const std::function<void(const QByteArray&)>& sink)
    {
        JsonWriter w;
        w.beginObject();
        w.key("about"_L1).value("Drift planted by the Sunset demo tenant generator; `sunset-cli diff` must report exactly this."_L1);
        w.key("asOf"_L1).value(isoTime(m_o.asOfMsecs, false));
        w.key("adEntriesSkipped"_L1).value(qint64(m_adSkipped));
        w.key("drift"_L1).beginArray();
        for (const Expected& e : m_expected) {
            w.beginObject();
            w.key("upn"_L1).value(e.upn);
            w.key("dn"_L1).value(e.dn);
            w.key("attribute"_L1).value(e.attribute);
            w.key("severity"_L1).value(e.severity);
            w.key("cause"_L1).value(e.cause);
            w.endObject();
        }
        w.endArray();
        w.key("softMatched"_L1).stringArray(m_softMatched);
        w.key("adOnly"_L1).stringArray(m_adOnly);
        w.key("cloudOnly"_L1).stringArray(m_cloudOnly);
        w.key("ambiguous"_L1).beginArray();
        if (!m_ambiguous.key.isEmpty()) {
            w.beginObject();
            w.key("key"_L1).value(m_ambiguous.key);
            w.key("value"_L1).value(m_ambiguous.value);
            w.key("ad"_L1).stringArray(m_ambiguous.ad);
            w.key("cloud"_L1).stringArray(m_ambiguous.cloud);
            w.endObject();
        }
        w.endArray();
        w.endObject();
        QByteArray out = w.take();
        out += '\n';
        sink(out);
    }

    struct Ambiguous {
        QString key, value;
        QStringList ad, cloud;
    };

    const DemoTenantOptions& m_o;
    Rng m_rng;
    std::vector<Mailbox> m_boxes;
    QSet<int> m_planted;
    std::vector<Expected> m_expected;
    std::vector<PlantedEntry> m_entries;
    QStringList m_softMatched, m_adOnly, m_cloudOnly;
    Ambiguous m_ambiguous;
    int m_adSkipped = 0;
    const std::array<const char*, 15> m_extNames{
        "extensionAttribute1",  "extensionAttribute2",  "extensionAttribute3",  "extensionAttribute4",
        "extensionAttribute5",  "extensionAttribute6",  "extensionAttribute7",  "extensionAttribute8",
        "extensionAttribute9",  "extensionAttribute10", "extensionAttribute11", "extensionAttribute12",
        "extensionAttribute13", "extensionAttribute14", "extensionAttribute15"};
};

// The forest's Exchange leftovers a hybrid tenant has just before its last server goes: fixed text (no random
// draw, so the mailbox files stay as they were), in the shapes of tests/support/samba/exchange-organization.ldif.
QByteArray configLdif()
{
    const QByteArray config = "CN=Configuration," + QByteArray(kBaseDn.data(), kBaseDn.size());
    const QByteArray base(kBaseDn.data(), kBaseDn.size());
    const QByteArray org = "CN=Contoso,CN=Microsoft Exchange,CN=Services," + config;
    const QByteArray group = "CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups," + org;
    const QByteArray server = "CN=EXCH01,CN=Servers," + group;
    QByteArray out = "# Sunset demo tenant: what of Exchange the forest still holds (ldifde -f demo-config.ldif -d "
                     "\"CN=Microsoft Exchange,CN=Services," + config + "\", the Exchange schema attributes and the\n"
                     "# domain's Exchange objects): one server still registered, its Autodiscover SCP, the hybrid\n"
                     "# configuration object, and the Entra Cloud Sync agent's group managed service account.\n"
                     "version: 1\n\n";
    auto entry = [&](const QByteArray& dn, const QByteArray& body) {
        out += "dn: " + dn + "\nchangetype: add\n" + body + '\n';
    };
    entry("CN=ms-Exch-Recipient-Type-Details,CN=Schema," + config,
          "objectClass: top\nobjectClass: attributeSchema\ncn: ms-Exch-Recipient-Type-Details\n"
          "lDAPDisplayName: msExchRecipientTypeDetails\n");
    entry("CN=ms-Exch-Extension-Attribute-1,CN=Schema," + config,
          "objectClass: top\nobjectClass: attributeSchema\ncn: ms-Exch-Extension-Attribute-1\n"
          "lDAPDisplayName: extensionAttribute1\n");
    entry("CN=Microsoft Exchange,CN=Services," + config,
          "objectClass: top\nobjectClass: container\nobjectClass: msExchConfigurationContainer\n"
          "cn: Microsoft Exchange\n");
    entry(org, "objectClass: top\nobjectClass: container\nobjectClass: msExchOrganizationContainer\ncn: Contoso\n");
    entry("CN=Administrative Groups," + org,
          "objectClass: top\nobjectClass: msExchAdminGroupContainer\ncn: Administrative Groups\n");
    entry(group, "objectClass: top\nobjectClass: msExchAdminGroup\ncn: Exchange Administrative Group (FYDIBOHF23SPDLT)\n");
    entry("CN=Servers," + group, "objectClass: top\nobjectClass: msExchServersContainer\ncn: Servers\n");
    entry(server, "objectClass: top\nobjectClass: server\nobjectClass: msExchExchangeServer\ncn: EXCH01\nname: EXCH01\n"
                  "serialNumber: Version 15.2 (Build 1544.4)\n");
    entry("CN=Protocols," + server, "objectClass: top\nobjectClass: msExchProtocolCfgProtocolContainer\ncn: Protocols\n");
    entry("CN=Autodiscover,CN=Protocols," + server, "objectClass: top\nobjectClass: container\ncn: Autodiscover\n");
    entry("CN=EXCH01,CN=Autodiscover,CN=Protocols," + server,
          "objectClass: top\nobjectClass: serviceConnectionPoint\ncn: EXCH01\n"
          "keywords: 77378F46-2C66-4aa9-A6A6-3E7A48B19596\nkeywords: Site=Default-First-Site-Name\n"
          "serviceBindingInformation: https://autodiscover.contoso.com/Autodiscover/Autodiscover.xml\n");
    entry("CN=Hybrid Configuration," + org, "objectClass: top\nobjectClass: container\ncn: Hybrid Configuration\n");
    entry("CN=Hybrid Configuration,CN=Hybrid Configuration," + org,
          "objectClass: top\nobjectClass: msExchHybridConfiguration\ncn: Hybrid Configuration\n");
    entry("CN=Microsoft Exchange System Objects," + base,
          "objectClass: top\nobjectClass: container\nobjectClass: msExchSystemObjectsContainer\n"
          "cn: Microsoft Exchange System Objects\n");
    entry("OU=Microsoft Exchange Security Groups," + base,
          "objectClass: top\nobjectClass: organizationalUnit\nou: Microsoft Exchange Security Groups\n");
    entry("CN=provAgentgMSA,CN=Managed Service Accounts," + base,
          "objectClass: top\nobjectClass: msDS-GroupManagedServiceAccount\ncn: provAgentgMSA\n"
          "sAMAccountName: provAgentgMSA$\ndNSHostName: provAgentgMSA.contoso.com\n"
          "msDS-ManagedPasswordInterval: 30\n");
    return out;
}

// What the Hybrid Configuration Wizard left in Exchange Online, as the admin API's InvokeCommand answers each
// cmdlet, plus a partner connector that is not a hybrid leftover.
QByteArray hybridJson()
{
    const QByteArray guid = "8b5f1c9e-3d2a-4e7b-9c61-0f4d2a7e5b13";
    return "{\n"
           "  \"Get-OrganizationRelationship\": {\"value\": [\n"
           "    {\"Name\": \"O365 to On-premises - " + guid + "\", \"Identity\": \"O365 to On-premises - " + guid +
           "\", \"Enabled\": true}\n  ]},\n"
           "  \"Get-InboundConnector\": {\"value\": [\n"
           "    {\"Name\": \"Inbound from " + guid + "\", \"Identity\": \"Inbound from " + guid +
           "\", \"Enabled\": true}\n  ]},\n"
           "  \"Get-OutboundConnector\": {\"value\": [\n"
           "    {\"Name\": \"Outbound to " + guid + "\", \"Identity\": \"Outbound to " + guid +
           "\", \"Enabled\": true},\n"
           "    {\"Name\": \"Fabrikam partner\", \"Identity\": \"Fabrikam partner\", \"Enabled\": true}\n  ]}\n"
           "}\n";
}

} // namespace

void generateDemoTenant(const DemoTenantOptions& options, const DemoTenantSinks& sinks)
{
    Generator(options).run(sinks);
}

} // namespace sunset
