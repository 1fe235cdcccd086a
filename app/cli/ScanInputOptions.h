// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "AdSourceOptions.h"
#include "CloudSourceOptions.h"
#include "ScanInputs.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QTextStream>

#include <optional>

namespace sunset {

// The inputs of a comparison as sunset-cli's commands that compare take them (diff, rollback-impact): --ad (an
// LDIF file, or a domain controller with the live AD options), --exo and --graph (files) or --tenant and the
// live cloud options, --as-of, and Cloud Sync's saved answers (--sync-jobs, --sync-schema, --provisioning-log).
// Messages start with "sunset-cli <command>: ".
class ScanInputOptions final {
public:
    explicit ScanInputOptions(QString command);

    void addTo(QCommandLineParser& parser) const;
    // Parses the command's arguments (the parser holds these options and the command's own): a password given
    // as an argument is refused, --help printed, a positional argument refused, then the options' combinations
    // and values checked. An exit code when the command is done (help, wrong usage: the problem on err), or
    // nullopt to go on.
    std::optional<int> parse(QCommandLineParser& parser, const QStringList& arguments, QTextStream& out,
                             QTextStream& err);
    // Reads both sides (the cloud live or from files) and Cloud Sync's files through loadScanInputs, with a
    // ticker on a terminal and the reads' warnings on err; an exit code on failure (the problem on err), nullopt
    // with inputs filled.
    std::optional<int> load(const QCommandLineParser& parser, const LoadProgress& progress, QTextStream& err,
                            ScanInputs& inputs) const;

private:
    std::optional<int> check(const QCommandLineParser& parser, QTextStream& err);

    QString m_command;
    QCommandLineOption m_ad;
    QCommandLineOption m_exo;
    QCommandLineOption m_graph;
    QCommandLineOption m_asOf;
    QCommandLineOption m_syncJobs;
    QCommandLineOption m_syncSchema;
    QCommandLineOption m_provisioningLog;
    QCommandLineOption m_noSyncState;
    QCommandLineOption m_syncWindow;
    QCommandLineOption m_syncServicePrincipal;
    AdSourceOptions m_live;
    CloudSourceOptions m_cloud;
    // Settled by check():
    bool m_cloudIsLive = false;
    bool m_adIsLive = false;
    CloudSettings m_cloudSettings;
    AdLiveScanSettings m_liveSettings;
    qint64 m_asOfMsecs = 0;
};

} // namespace sunset
