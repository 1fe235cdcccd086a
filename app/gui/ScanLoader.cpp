// SPDX-License-Identifier: Apache-2.0
#include "ScanLoader.h"

#include "CloudScanState.h"

#include "AdLiveScan.h"
#include "CloudLiveScan.h"
#include "CloudScanState.h"
#include "MailboxTableModel.h"
#include "SnapshotSideLoader.h"
#include "UiLogging.h"

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>

#include <utility>

namespace sunset {

using namespace Qt::Literals::StringLiterals;

ScanLoader::ScanLoader(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<ScanSide>();
    qRegisterMetaType<SideProgress>();
    qRegisterMetaType<NameOrder>();
    qRegisterMetaType<std::shared_ptr<const DriftScan>>();
}

// Readers are children: their destructors cancel and wait. Comparisons post to `this`: m_comparisons cancels and
// waits for them.
ScanLoader::~ScanLoader() = default;

int ScanLoader::activeReaders() const
{
    int n = 0;
    for (QObject* child : children()) {
        if (auto* files = qobject_cast<SnapshotSideLoader*>(child); files && files->isRunning())
            ++n;
        else if (auto* live = qobject_cast<AdLiveScan*>(child); live && live->isRunning())
            ++n;
        else if (auto* cloud = qobject_cast<CloudLiveScan*>(child); cloud && cloud->isRunning())
            ++n;
    }
    return n + m_comparisons.running();
}

void ScanLoader::retireReaders()
{
    for (Side* s : {&m_ad, &m_cloud}) {
        if (QObject* reader = s->reader) {
            disconnect(reader, nullptr, this, nullptr);
            if (auto* files = qobject_cast<SnapshotSideLoader*>(reader)) {
                files->cancel();
                connect(files, &SnapshotSideLoader::done, files, &QObject::deleteLater);
                if (!files->isRunning())
                    files->deleteLater();
            } else if (auto* live = qobject_cast<AdLiveScan*>(reader)) {
                live->cancel();
                // After cancel() it still says failed("cancelled") (or finished) once its thread is done.
                connect(live, &AdLiveScan::failed, live, &QObject::deleteLater);
                connect(live, &AdLiveScan::finished, live, &QObject::deleteLater);
                if (!live->isRunning())
                    live->deleteLater();
            } else if (auto* cloud = qobject_cast<CloudLiveScan*>(reader)) {
                cloud->cancel();
                connect(cloud, &CloudLiveScan::cancelled, cloud, &QObject::deleteLater);
                connect(cloud, &CloudLiveScan::failed, cloud, &QObject::deleteLater);
                connect(cloud, &CloudLiveScan::finished, cloud, &QObject::deleteLater);
                if (!cloud->isRunning())
                    cloud->deleteLater();
            }
        }
        s->reader = nullptr;
        s->snapshot.reset();
    }
}

void ScanLoader::cancel()
{
    if (!m_running)
        return;
    m_comparisons.cancelAll();
    ++m_generation; // whatever a worker still reports is stale
    m_running = false;
    m_adPassword.clear();
    m_cloudSettings.reset();
    retireReaders();
    qCInfo(lcUi) << "scan cancelled";
    Q_EMIT cancelled();
}

void ScanLoader::start(const ScanRequest& request, const DriftOptions& options)
{
    if (m_running) {
        m_comparisons.cancelAll();
        ++m_generation;
        retireReaders();
    }
    ++m_generation;
    m_running = true;
    m_profile = request.profile;
    m_adPassword = m_profile.needsAdPassword() ? request.secrets.adPassword : QByteArray();
    m_options = options;
    m_ad = {};
    m_cloud = {};
    qCInfo(lcUi) << "scanning" << m_profile.adLabel() << "and" << m_profile.cloudLabel();
    Q_EMIT started(m_profile);
    // Both sides start now and run side by side: the scan takes as long as the slower one.
    startCloud(m_profile.cloud, request.secrets);
    if (m_running)
        startAd(m_profile.ad, request.secrets);
}

void ScanLoader::report(ScanSide s, SideProgress::Stage stage, const QString& what, SideProgress::Unit unit,
                        qint64 done, qint64 total)
{
    Side& sd = side(s);
    if (stage == SideProgress::Stage::Reading && !sd.clock.isValid())
        sd.clock.start();
    SideProgress& p = sd.progress;
    p.stage = stage;
    p.what = what;
    p.unit = unit;
    p.done = done;
    p.total = total;
    // The average since this side started reading: steadier than the last interval, and what the admin wants
    // to estimate the rest by.
    const double seconds = sd.clock.isValid() ? double(sd.clock.nsecsElapsed()) / 1e9 : 0.0;
    p.perSecond = seconds > 0.05 ? double(done) / seconds : 0.0;
    Q_EMIT sideProgress(s, p);
}

void ScanLoader::startAd(const AdSourceProfile& profile, const ScanSecrets& secrets)
{
    const quint64 generation = m_generation;
    if (profile.kind == AdSourceProfile::Kind::Snapshot) {
        auto* reader = new SnapshotSideLoader(this);
        m_ad.reader = reader;
        const QString name = QFileInfo(profile.ldifFile).fileName();
        report(ScanSide::Ad, SideProgress::Stage::Reading, name, SideProgress::Unit::Bytes, 0,
               QFileInfo(profile.ldifFile).size());
        connect(reader, &SnapshotSideLoader::progress, this, [this, generation](const QString& file, qint64 d, qint64 t) {
            if (generation == m_generation)
                report(ScanSide::Ad, SideProgress::Stage::Reading, QFileInfo(file).fileName(),
                       SideProgress::Unit::Bytes, d, t);
        });
        connect(reader, &SnapshotSideLoader::finished, this,
                [this](std::shared_ptr<Snapshot> snapshot) { sideFinished(ScanSide::Ad, std::move(snapshot)); });
        connect(reader, &SnapshotSideLoader::failed, this,
                [this](const ImportError& error) { sideFailed(ScanSide::Ad, error); });
        reader->startAd(profile.ldifFile);
        return;
    }

    AdLiveScanSettings settings;
    settings.dc = profile.dc;
    settings.password = secrets.adPassword;
    // Rescans of this profile read only what changed since its last scan (uSNChanged on the same DC).
    const QString& name = m_profile.name;
    if (!name.isEmpty() && !name.contains(u'/') && !name.contains(u'\\') && !name.startsWith(u'.'))
        settings.stateDirectory = cloudStateDirectory(m_profile.name);
    auto* reader = new AdLiveScan(this);
    m_ad.reader = reader;
    const QString host = QUrl(profile.dc.uri).host();
    report(ScanSide::Ad, SideProgress::Stage::SigningIn, host, SideProgress::Unit::Items, 0, -1);
    connect(reader, &AdLiveScan::progress, this, [this, host](qint64 entries) {
        report(ScanSide::Ad, SideProgress::Stage::Reading, host, SideProgress::Unit::Items, entries, -1);
    });
    connect(reader, &AdLiveScan::readDescribed, this, [this, host](const QString& description) {
        qCInfo(lcUi).noquote() << description;
        // The side's status line then says which read it was: "dc01 (AD: incremental read …): 20,000 mailboxes".
        m_ad.progress.what = host + u" ("_s + description + u')';
    });
    connect(reader, &AdLiveScan::finished, this, [this](std::shared_ptr<const Snapshot> snapshot) {
        // The comparison takes its inputs by value; this copy is made once, on the GUI thread's turn, and is
        // small next to reading them.
        sideFinished(ScanSide::Ad, std::make_shared<Snapshot>(*snapshot));
    });
    connect(reader, &AdLiveScan::failed, this, [this, url = profile.dc.uri](const QString& message) {
        sideFailed(ScanSide::Ad, ImportError{url, 0, {}, message});
    });
    reader->start(std::move(settings));
}

void ScanLoader::startCloud(const CloudSourceProfile& profile, const ScanSecrets& secrets)
{
    const quint64 generation = m_generation;
    if (profile.kind == CloudSourceProfile::Kind::Snapshot) {
        auto* reader = new SnapshotSideLoader(this);
        m_cloud.reader = reader;
        const QString first = profile.graphFile.isEmpty() ? profile.exoFile : profile.graphFile;
        report(ScanSide::Cloud, SideProgress::Stage::Reading, QFileInfo(first).fileName(), SideProgress::Unit::Bytes,
               0, QFileInfo(first).size());
        connect(reader, &SnapshotSideLoader::progress, this, [this, generation](const QString& file, qint64 d, qint64 t) {
            if (generation == m_generation)
                report(ScanSide::Cloud, SideProgress::Stage::Reading, QFileInfo(file).fileName(),
                       SideProgress::Unit::Bytes, d, t);
        });
        connect(reader, &SnapshotSideLoader::finished, this,
                [this](std::shared_ptr<Snapshot> snapshot) { sideFinished(ScanSide::Cloud, std::move(snapshot)); });
        connect(reader, &SnapshotSideLoader::failed, this,
                [this](const ImportError& error) { sideFailed(ScanSide::Cloud, error); });
        reader->startCloud(profile.exoFile, profile.graphFile);
        return;
    }

    const CloudTenantSettings& connection = profile.connection;
    CloudScanSettings settings;
    settings.connection = connection;
    switch (connection.signIn) {
    case CloudTenantSettings::SignIn::ClientSecret: settings.secret.clientSecret = secrets.clientSecret; break;
    case CloudTenantSettings::SignIn::DeviceCode: break;
    case CloudTenantSettings::SignIn::Certificate: {
        QFile file(connection.certificateFile);
        if (!file.open(QIODevice::ReadOnly))
            return sideFailed(ScanSide::Cloud, ImportError{connection.certificateFile, 0, {},
                                                           tr("cannot read the certificate: %1. Choose the file "
                                                              "again in File › Connect…").arg(file.errorString())});
        Result<ClientCertificate> certificate = ClientCertificate::fromFileContents(
            file.readAll(), secrets.certificatePassword, connection.certificateFile);
        if (!certificate)
            return sideFailed(ScanSide::Cloud, certificate.error());
        settings.secret.certificate = certificate.value();
        break;
    }
    }
    // A rescan of the same tenant and app asks Graph only for the users changed since (delta).
    const QString tenantKey = connection.tenant.toLower() + u'|' + connection.clientId.toLower();
    if (m_previousCloud && m_previousCloudKey == tenantKey)
        settings.previous = m_previousCloud;
    // ... and Exchange Online only for the mailboxes changed since, merged into those that scan kept on disk
    // (owner-only). A directory of its own: the cursor lives in this process's memory, and sharing sunset-cli's
    // would make each side's kept mailboxes the other's "damaged" cache.
    settings.exoRescan.cacheDirectory = cloudStateDirectory(u"desktop"_s);

    // Cloud Sync's jobs and provisioning log, read live unless the scan was given them (the demo's files).
    settings.readCloudSync = !m_options.cloudSync;
    m_liveCloudSync.reset();
    auto* reader = new CloudLiveScan(this);
    m_cloud.reader = reader;
    report(ScanSide::Cloud, SideProgress::Stage::SigningIn, connection.tenant, SideProgress::Unit::Items, 0, -1);
    connect(reader, &CloudLiveScan::progress, this,
            [this](CloudLiveScan::Service service, qint64 done, qint64 total, double perSecond) {
                const QString what = service == CloudLiveScan::Service::Graph       ? tr("Entra ID users")
                                     : service == CloudLiveScan::Service::CloudSync ? tr("Cloud Sync's state")
                                                                                    : tr("Exchange Online mailboxes");
                report(ScanSide::Cloud, SideProgress::Stage::Reading, what, SideProgress::Unit::Items, done, total);
                if (perSecond > 0) { // the scan measures its rate per service; ours would mix the two
                    m_cloud.progress.perSecond = perSecond;
                    Q_EMIT sideProgress(ScanSide::Cloud, m_cloud.progress);
                }
            });
    connect(reader, &CloudLiveScan::deviceCode, this, &ScanLoader::deviceCodeReady);
    connect(reader, &CloudLiveScan::signedIn, this, &ScanLoader::signedIn);
    connect(reader, &CloudLiveScan::finished, this, [this, tenantKey](std::shared_ptr<const CloudScanResult> result) {
        m_previousCloud = result;
        m_previousCloudKey = tenantKey;
        m_liveCloudSync = result->cloudSync;
        // The progress line's last word says how Exchange Online was read (a rescan's changes, or why in full).
        m_cloud.progress.what = describeExoRead(*result);
        sideFinished(ScanSide::Cloud, std::make_shared<Snapshot>(result->mailboxes));
    });
    connect(reader, &CloudLiveScan::failed, this, [this, tenant = connection.tenant](const QString& message) {
        sideFailed(ScanSide::Cloud, ImportError{tenant, 0, {}, message});
    });
    m_cloudSettings = settings; // for cloudSourceRead(), in memory only
    reader->start(std::move(settings));
}

void ScanLoader::sideFinished(ScanSide s, std::shared_ptr<Snapshot> snapshot)
{
    if (!m_running)
        return;
    Side& sd = side(s);
    if (QObject* reader = sd.reader) {
        disconnect(reader, nullptr, this, nullptr);
        reader->deleteLater(); // its worker has posted its last word
    }
    sd.reader = nullptr;
    const qint64 records = qint64(snapshot->records.size());
    sd.snapshot = std::move(snapshot);
    report(s, SideProgress::Stage::Done, sd.progress.what, SideProgress::Unit::Items, records, records);
    compareWhenBothRead();
}

void ScanLoader::sideFailed(ScanSide s, const ImportError& error)
{
    if (!m_running)
        return;
    qCWarning(lcUi) << (s == ScanSide::Ad ? "AD" : "cloud") << "side failed:" << error.toString();
    m_comparisons.cancelAll();
    ++m_generation;
    m_running = false;
    m_adPassword.clear();
    m_cloudSettings.reset();
    retireReaders(); // the other side's work is of no use without this one
    Q_EMIT failed(error);
}

void ScanLoader::compareWhenBothRead()
{
    if (!m_ad.snapshot || !m_cloud.snapshot)
        return;
    Q_EMIT comparing();
    const quint64 generation = m_generation;
    std::shared_ptr<Snapshot> ad = std::move(m_ad.snapshot);
    std::shared_ptr<Snapshot> cloud = std::move(m_cloud.snapshot);
    ReportSources sources = m_profile.files();
    if (m_profile.ad.kind == AdSourceProfile::Kind::Live)
        sources.ad = m_profile.ad.dc.uri;
    if (m_profile.cloud.kind == CloudSourceProfile::Kind::Live) {
        const CloudTenantSettings& connection = m_profile.cloud.connection;
        sources.exo = connection.exoEndpoint + u" ("_s + connection.tenant + u')';
        sources.graph = connection.graphEndpoint;
    }
    DriftOptions options = m_options;
    if (!options.cloudSync)
        options.cloudSync = m_liveCloudSync;
    m_comparisons.start([this, ad, cloud, sources, options, generation](TaskControl& control) -> TaskOutcome {
        std::shared_ptr<const DriftScan> scan =
            DriftScan::compute(std::move(*ad), std::move(*cloud), sources, options);
        if (control.isCanceled())
            return {};
        // Locale-aware name order, computed here so the GUI thread's first sort compares integers.
        NameOrder order = MailboxTableModel::collateNames(*scan, QLocale());
        if (control.isCanceled())
            return {};
        return [this, scan, order, generation] {
            if (generation != m_generation)
                return;
            m_running = false;
            qCInfo(lcUi) << "scan done:" << scan->rows().size() << "mailbox rows";
            QByteArray password = std::exchange(m_adPassword, {});
            Q_EMIT adSourceRead(m_profile.ad, password);
            password.fill('\0'); // a receiver that keeps it holds a copy of its own
            if (m_cloudSettings)
                Q_EMIT cloudSourceRead(*std::exchange(m_cloudSettings, std::nullopt));
            Q_EMIT finished(scan, order);
        };
    });
}

} // namespace sunset
