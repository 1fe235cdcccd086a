// SPDX-License-Identifier: Apache-2.0
// make bench-ldap (bench/ldap-bench.sh): Sunset against OpenLDAP's command-line tools on the same Samba AD DC,
// in the same run, once on loopback and once through a proxy in this process that adds a latency each way.
//   read:   readAdSnapshotFromLdap (identity + catalog attributes + replication metadata, paged 1,000; the
//           schema and DC entries that decode the metadata are two small searches of its own) vs
//           ldapsearch -E pr=1000/noprompt of the same filter and attributes to /dev/null
//   writes: N single-attribute changes (delete the old value, add the new one, one modify per mailbox) through
//           LdapModifyPipeline vs ldapmodify -f of the same changes as LDIF; every run starts from the same values
// Figures, not pass/fail: see docs/benchmarks.md for the targets.
//
// sunset-ldap-bench SAMBA_DIR [--changes N] [--read-runs R] [--delay-ms MS] [--no-window-64] [--trace]
// --changes 0: the read only. --trace: each round trip of the first read through the proxy, on standard error.
// SAMBA_DIR is a DC started by tests/support/samba/samba-dc.sh (its env file says where and how to bind).
#include "../tests/support/ApprovedForTests.h"
#include "BenchLdapBind.h"
#include "DelayingTcpProxy.h"
#include "LdapConnection.h"
#include "LdapModify.h"
#include "LdapSnapshotReader.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <spawn.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <vector>

extern char** environ;

using namespace sunset;
using namespace Qt::Literals::StringLiterals;

namespace {

constexpr char kAttribute[] = "extensionAttribute14"; // the seed never sets it; TestLdapWrites uses 12, 13 and 15

struct Domain {
    QHash<QByteArray, QByteArray> env;
    QByteArray value(const char* key) const { return env.value(key); }
    QString ldapsUri() const { return QString::fromUtf8(value("SUNSET_TEST_LDAPS_URI")); }
    QByteArray caFile() const { return value("SUNSET_TEST_CA_FILE"); }
    QByteArray bindUpn() const { return value("SUNSET_TEST_BIND_UPN"); }
    QByteArray passwordFile() const { return value("SUNSET_TEST_PASSWORD_FILE"); }
    QByteArray baseDn() const { return value("SUNSET_TEST_BASE_DN"); }
    QByteArray mailboxOu() const { return value("SUNSET_TEST_MAILBOX_OU"); }
    QByteArray password() const
    {
        QFile file(QString::fromUtf8(passwordFile()));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
};

struct Setting {
    const char* name;
    QString uri;
};

double seconds(const timeval& tv)
{
    return double(tv.tv_sec) + double(tv.tv_usec) / 1e6;
}

double threadCpuSeconds()
{
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double loadAverage()
{
    QFile file(u"/proc/loadavg"_s);
    return file.open(QIODevice::ReadOnly) ? file.readAll().split(' ').value(0).toDouble() : -1;
}

struct ToolRun {
    double seconds = 0;
    double cpuSeconds = 0; // the child's user + system time
    bool ok = false;
    QByteArray errors; // its standard error, when it failed
};

// Runs an OpenLDAP tool with standard output to stdoutPath, LDAPTLS_CACERT set; times it from spawn to exit.
ToolRun runTool(const Domain& domain, const QByteArrayList& arguments, const QByteArray& stdoutPath,
                const QByteArray& stderrPath)
{
    std::vector<std::string> args;
    for (const QByteArray& a : arguments)
        args.emplace_back(a.constData(), size_t(a.size()));
    std::vector<char*> argv;
    for (std::string& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> envStrings = {"LDAPTLS_CACERT=" + domain.caFile().toStdString(), "LDAPTLS_REQCERT=hard"};
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "LDAPTLS_", 8) != 0)
            envStrings.emplace_back(*e);
    std::vector<char*> envp;
    for (std::string& e : envStrings)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, stdoutPath.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ToolRun run;
    QElapsedTimer timer;
    timer.start();
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        run.errors = "could not start " + arguments.value(0) + ": " + std::strerror(spawned);
        return run;
    }
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    run.seconds = double(timer.nsecsElapsed()) / 1e9;
    run.cpuSeconds = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    run.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!run.ok) {
        QFile errors(QString::fromLocal8Bit(stderrPath));
        run.errors = errors.open(QIODevice::ReadOnly) ? errors.readAll().trimmed() : QByteArray();
        run.errors += " (exit status " + QByteArray::number(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ')';
    }
    return run;
}

QByteArrayList toolBase(const char* tool, const Domain& domain, const QString& uri)
{
    return {tool, "-x", "-H", uri.toUtf8(), "-D", domain.bindUpn(), "-y", domain.passwordFile()};
}

std::unique_ptr<LdapConnection> bound(const Domain& domain, const QString& uri, QString* error)
{
    return bindForBench(uri, QString::fromUtf8(domain.caFile()), QString::fromUtf8(domain.bindUpn()),
                        domain.password(), error);
}

struct Measured {
    double seconds = 0;
    double cpuSeconds = 0;
    qint64 count = 0; // entries read, or changes applied
    QString error;
    DelayingTcpProxy::Traffic traffic; // through the proxy: what this run's connections carried
};

// --- read ---------------------------------------------------------------------------------------------------

Measured sunsetRead(const Domain& domain, const QString& uri)
{
    Measured m;
    const double cpu = threadCpuSeconds();
    QElapsedTimer timer;
    timer.start();
    // Connect, TLS and bind are timed, as they are in ldapsearch's time.
    auto connection = bound(domain, uri, &m.error);
    if (!connection)
        return m;
    const Result<Snapshot> snapshot = readAdSnapshotFromLdap(*connection, domain.baseDn());
    connection.reset(); // the unbind too
    m.seconds = double(timer.nsecsElapsed()) / 1e9;
    m.cpuSeconds = threadCpuSeconds() - cpu;
    if (!snapshot)
        m.error = snapshot.error().toString();
    else
        m.count = qint64(snapshot.value().records.size()) + snapshot.value().skippedEntries;
    return m;
}

QByteArrayList ldapsearchArguments(const Domain& domain, const QString& uri)
{
    QByteArrayList arguments = toolBase("ldapsearch", domain, uri);
    arguments << "-E"
              << "pr=1000/noprompt"
              << "-b" << domain.baseDn() << QByteArray(kAdMailboxFilter);
    arguments << adSnapshotAttributes() << adReplicationMetadataAttributes(); // as Sunset's read asks
    return arguments;
}

Measured ldapsearchRead(const Domain& domain, const QString& uri, const QByteArray& output, const QByteArray& errors)
{
    Measured m;
    const ToolRun run = runTool(domain, ldapsearchArguments(domain, uri), output, errors);
    m.seconds = run.seconds;
    m.cpuSeconds = run.cpuSeconds;
    if (!run.ok)
        m.error = QString::fromLocal8Bit(run.errors);
    return m;
}

qint64 countEntries(const QString& ldifPath)
{
    QFile file(ldifPath);
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    qint64 entries = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        if (line.startsWith("dn: ") || line.startsWith("dn:: "))
            ++entries;
    }
    return entries;
}

Measured median(std::vector<Measured> runs)
{
    std::sort(runs.begin(), runs.end(), [](const Measured& a, const Measured& b) { return a.seconds < b.seconds; });
    return runs[runs.size() / 2];
}

// --- writes -------------------------------------------------------------------------------------------------

struct Target {
    QByteArray dn;
    QByteArrayList current; // the attribute's values now
};

QByteArray valueFor(const QByteArray& label, size_t index)
{
    return "sunset-bench " + label + " #" + QByteArray::number(qulonglong(index));
}

std::vector<ModifyRequest> changesFrom(const std::vector<Target>& targets, const QByteArray& from, const QByteArray& to)
{
    std::vector<ModifyRequest> requests;
    requests.reserve(targets.size());
    for (size_t i = 0; i < targets.size(); ++i)
        requests.push_back(
            ModifyRequest{quint64(i), targets[i].dn, {{kAttribute, {valueFor(from, i)}, {valueFor(to, i)}}}});
    return requests;
}

// The same changes as ldapmodify takes them: one modify per entry, delete the old value then add the new one.
QByteArray changesLdif(const std::vector<ModifyRequest>& requests)
{
    QByteArray ldif;
    for (const ModifyRequest& request : requests) {
        const AttributeChange& change = request.changes.front();
        ldif += "dn: " + request.dn + "\nchangetype: modify\n";
        ldif += "delete: " + change.attribute + '\n' + change.attribute + ": " + change.oldValues.front() + "\n-\n";
        ldif += "add: " + change.attribute + '\n' + change.attribute + ": " + change.newValues.front() + "\n-\n\n";
    }
    return ldif;
}

// Applies requests through the pipeline (connect and bind included in the time).
Measured sunsetWrite(const Domain& domain, const QString& uri, const std::vector<ModifyRequest>& requests, int window)
{
    Measured m;
    // Approved as a batch's would be (outside the measured time: the approval is made when the batch is read).
    const std::vector<ApprovedModify> modifies = test::approvedAll(requests);
    const double cpu = threadCpuSeconds();
    QElapsedTimer timer;
    timer.start();
    auto connection = bound(domain, uri, &m.error);
    if (!connection)
        return m;
    LdapModifyPipeline pipeline(*connection, ModifyPipelineOptions{window, {}, true});
    QString firstFailure;
    const ModifyRunStats stats = pipeline.run(modifies, [&](const ModifyOutcome& outcome) {
        if (outcome.kind != ModifyOutcomeKind::Applied && firstFailure.isEmpty())
            firstFailure = modifyOutcomeKindName(outcome.kind) + u": "_s + outcome.error.toString();
    });
    connection.reset();
    m.seconds = double(timer.nsecsElapsed()) / 1e9;
    m.cpuSeconds = threadCpuSeconds() - cpu;
    m.count = stats.applied;
    if (stats.applied != qint64(requests.size()))
        m.error = u"%1 of %2 applied; first failure: %3"_s.arg(stats.applied).arg(requests.size()).arg(firstFailure);
    return m;
}

Measured ldapmodifyWrite(const Domain& domain, const QString& uri, const std::vector<ModifyRequest>& requests,
                         const QString& dir)
{
    Measured m;
    const QString path = dir + u"/changes.ldif"_s;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(changesLdif(requests)) < 0 || !file.flush()) {
        m.error = u"cannot write "_s + path;
        return m;
    }
    file.close();
    const ToolRun run = runTool(domain, toolBase("ldapmodify", domain, uri) << "-f" << path.toLocal8Bit(), "/dev/null",
                                (dir + u"/ldapmodify.err"_s).toLocal8Bit());
    m.seconds = run.seconds;
    m.cpuSeconds = run.cpuSeconds;
    m.count = run.ok ? qint64(requests.size()) : 0; // ldapmodify without -c stops at the first failure
    if (!run.ok)
        m.error = QString::fromLocal8Bit(run.errors);
    return m;
}

const char* verdict(bool met)
{
    return met ? "met" : "MISSED";
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(u"sunset.ldap.debug=false\nsunset.ldap.info=false"_s); // a line per connection
    const QStringList args = app.arguments();
    if (args.size() < 2 || args[1].startsWith(u'-')) {
        std::fprintf(stderr, "usage: %s SAMBA_DIR [--changes N] [--read-runs R] [--delay-ms MS] [--no-window-64] [--trace]\n",
                     argv[0]);
        return 2;
    }
    int changes = 5000, readRuns = 3, delayMs = 10;
    bool window64 = true, trace = false;
    for (qsizetype i = 2; i < args.size(); ++i) {
        if (args[i] == u"--changes"_s && i + 1 < args.size())
            changes = args[++i].toInt();
        else if (args[i] == u"--read-runs"_s && i + 1 < args.size())
            readRuns = std::max(1, args[++i].toInt());
        else if (args[i] == u"--delay-ms"_s && i + 1 < args.size())
            delayMs = args[++i].toInt();
        else if (args[i] == u"--no-window-64"_s)
            window64 = false;
        else if (args[i] == u"--trace"_s)
            trace = true;
        else {
            std::fprintf(stderr, "unknown argument %s\n", qPrintable(args[i]));
            return 2;
        }
    }

    Domain domain;
    {
        QFile env(args[1] + u"/env"_s);
        if (!env.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "%s is missing: start the DC with tests/support/samba/samba-dc.sh start DIR\n",
                         qPrintable(env.fileName()));
            return 1;
        }
        for (const QByteArray& line : env.readAll().split('\n'))
            if (const qsizetype eq = line.indexOf('='); eq > 0)
                domain.env.insert(line.first(eq), line.sliced(eq + 1));
    }
    const int dcPort = QUrl(domain.ldapsUri()).port(636);
    DelayingTcpProxy proxy{std::uint16_t(dcPort), std::chrono::milliseconds(delayMs)};
    if (!proxy.port()) {
        std::fprintf(stderr, "the delaying proxy could not listen on 127.0.0.1\n");
        return 1;
    }
    const QString proxied = u"ldaps://127.0.0.1:"_s + QString::number(proxy.port());
    const QByteArray proxyName = "proxy, +" + QByteArray::number(delayMs) + " ms each way";
    const std::vector<Setting> settings = {{"loopback", domain.ldapsUri()}, {proxyName.constData(), proxied}};
    QTemporaryDir tmp;
    const QByteArray errorsPath = (tmp.path() + u"/tool.err"_s).toLocal8Bit();
    const double loadAtStart = loadAverage();

    std::printf("Sunset LDAP benchmark against the Samba AD DC in %s (%s), the same run's OpenLDAP tools as "
                "baseline\n",
                qPrintable(args[1]), qPrintable(domain.ldapsUri()));
    std::printf("proxy: 127.0.0.1:%u, +%d ms each way per chunk forwarded (in this process)\n\n", proxy.port(),
                delayMs);
    std::fflush(stdout);

    // --- read ---
    std::fprintf(stderr, "read: warming up and counting ldapsearch's entries...\n");
    QString failure;
    const QString warmOutput = tmp.path() + u"/warm.ldif"_s;
    const Measured warmTool = ldapsearchRead(domain, domain.ldapsUri(), warmOutput.toLocal8Bit(), errorsPath);
    if (!warmTool.error.isEmpty()) {
        std::fprintf(stderr, "ldapsearch failed: %s\n", qPrintable(warmTool.error));
        return 1;
    }
    const qint64 toolEntries = countEntries(warmOutput);
    QFile::remove(warmOutput);
    const Measured warmSunset = sunsetRead(domain, domain.ldapsUri());
    if (!warmSunset.error.isEmpty()) {
        std::fprintf(stderr, "Sunset's read failed: %s\n", qPrintable(warmSunset.error));
        return 1;
    }
    const qint64 attributes = adSnapshotAttributes().size();

    std::map<std::pair<int, int>, Measured> reads; // (setting, 0 ldapsearch / 1 Sunset)
    for (size_t s = 0; s < settings.size(); ++s) {
        std::vector<Measured> tool, ours;
        for (int run = 0; run < readRuns; ++run) { // interleaved, so that drift in the machine hits both alike
            std::fprintf(stderr, "read, %s: run %d of %d\n", settings[s].name, run + 1, readRuns);
            const auto counted = [&](auto read) {
                const DelayingTcpProxy::Traffic before = proxy.traffic();
                const bool traced = trace && s == 1 && run == 0;
                if (traced)
                    proxy.traceTo(stderr);
                Measured m = read();
                proxy.traceTo(nullptr);
                m.traffic = proxy.traffic() - before;
                return m;
            };
            tool.push_back(counted([&] { return ldapsearchRead(domain, settings[s].uri, "/dev/null", errorsPath); }));
            ours.push_back(counted([&] { return sunsetRead(domain, settings[s].uri); }));
            for (const Measured* m : {&tool.back(), &ours.back()})
                if (m->traffic.connections)
                    std::fprintf(stderr, "  %s: %.3f s, %llu round trips, wait %.3f s, think %.3f s\n",
                                 m == &tool.back() ? "ldapsearch" : "Sunset", m->seconds,
                                 static_cast<unsigned long long>(m->traffic.roundTrips),
                                 double(m->traffic.waiting.count()) / 1e9, double(m->traffic.thinking.count()) / 1e9);
            for (const Measured* m : {&tool.back(), &ours.back()})
                if (!m->error.isEmpty()) {
                    std::fprintf(stderr, "read through %s failed: %s\n", settings[s].name, qPrintable(m->error));
                    return 1;
                }
        }
        reads[{int(s), 0}] = median(tool);
        reads[{int(s), 1}] = median(ours);
    }

    std::printf("READ: every mailbox, %lld attributes (identity + catalog), paged 1,000; %lld entries "
                "(ldapsearch wrote %lld); median of %d runs, connect + TLS + bind included\n",
                static_cast<long long>(attributes), static_cast<long long>(warmSunset.count),
                static_cast<long long>(toolEntries), readRuns);
    std::printf("%-22s %-38s %9s %11s %8s\n", "setting", "client", "seconds", "client CPU", "ratio");
    std::vector<double> readRatios;
    for (size_t s = 0; s < settings.size(); ++s) {
        const Measured& tool = reads[{int(s), 0}];
        const Measured& ours = reads[{int(s), 1}];
        const double ratio = ours.seconds / tool.seconds;
        readRatios.push_back(ratio);
        std::printf("%-22s %-38s %9.3f %10.2fs %8s\n", settings[s].name, "ldapsearch -E pr=1000 > /dev/null",
                    tool.seconds, tool.cpuSeconds, "1.00");
        std::printf("%-22s %-38s %9.3f %10.2fs %7.2fx  (target <= 1.1x: %s)\n", settings[s].name,
                    "Sunset readAdSnapshotFromLdap", ours.seconds, ours.cpuSeconds, ratio, verdict(ratio <= 1.1));
    }
    // Counted by the proxy, so through it only; the count is the figure that does not move with the load.
    std::printf("\nREAD through the proxy, counted by it (median run): a round trip is the client sending, then "
                "waiting for the server's first bytes back; wait = the proxy's view of it (one delay + the "
                "server's time); think = the client's time from an answer's last bytes to its next request\n");
    std::printf("%-38s %7s %12s %12s %9s %9s %10s\n", "client", "conns", "round trips", "client sends", "wait s",
                "think s", "MB down");
    for (int client = 0; client < 2; ++client) {
        const DelayingTcpProxy::Traffic& t = reads[{1, client}].traffic;
        std::printf("%-38s %7llu %12llu %12llu %9.3f %9.3f %10.1f\n",
                    client ? "Sunset readAdSnapshotFromLdap" : "ldapsearch -E pr=1000 > /dev/null",
                    static_cast<unsigned long long>(t.connections), static_cast<unsigned long long>(t.roundTrips),
                    static_cast<unsigned long long>(t.clientChunks), double(t.waiting.count()) / 1e9,
                    double(t.thinking.count()) / 1e9, double(t.serverBytes) / 1e6);
    }
    std::printf("\n");
    std::fflush(stdout);

    if (changes <= 0) // --changes 0: the read only
        return 0;
    // --- writes ---
    QString error;
    auto admin = bound(domain, domain.ldapsUri(), &error);
    if (!admin) {
        std::fprintf(stderr, "bind failed: %s\n", qPrintable(error));
        return 1;
    }
    std::vector<Target> targets;
    {
        LdapSearchRequest request;
        request.baseDn = domain.mailboxOu();
        request.scope = LdapScope::OneLevel;
        request.filter = "(&(objectClass=user)(sAMAccountName=mbx*))";
        request.attributes = {kAttribute};
        const auto listed = admin->search(request, [&](const LdifEntry& entry) -> LdapResult<void> {
            Target target{entry.dn.toByteArray(), {}};
            for (const LdifAttribute& a : entry.attributes)
                target.current << a.value.toByteArray();
            targets.push_back(std::move(target));
            return {};
        });
        if (!listed) {
            std::fprintf(stderr, "listing the mailboxes failed: %s\n", qPrintable(listed.error().toString()));
            return 1;
        }
        std::sort(targets.begin(), targets.end(), [](const Target& a, const Target& b) { return a.dn < b.dn; });
        if (qsizetype(targets.size()) < changes)
            std::fprintf(stderr, "only %zu seeded mailboxes: %zu changes instead of %d\n", targets.size(),
                         targets.size(), changes);
        targets.resize(std::min(targets.size(), size_t(std::max(changes, 0))));
    }
    const auto applyUnmeasured = [&](const std::vector<ModifyRequest>& requests, const char* what) {
        const Measured m = sunsetWrite(domain, domain.ldapsUri(), requests, 32);
        if (!m.error.isEmpty())
            std::fprintf(stderr, "%s: %s\n", what, qPrintable(m.error));
        return m.error.isEmpty();
    };
    // The starting state: every target holds "sunset-bench base #i" (whatever it held before, e.g. from an
    // interrupted run, is replaced).
    {
        std::vector<ModifyRequest> setup;
        for (size_t i = 0; i < targets.size(); ++i)
            setup.push_back(
                ModifyRequest{quint64(i), targets[i].dn, {{kAttribute, targets[i].current, {valueFor("base", i)}}}});
        std::fprintf(stderr, "writes: setting the starting values of %zu mailboxes...\n", targets.size());
        if (!applyUnmeasured(setup, "setting the starting values failed"))
            return 1;
    }

    struct WriteRun {
        int setting;
        int window; // 0: ldapmodify
        Measured result;
    };
    std::vector<WriteRun> writes;
    int label = 0;
    for (size_t s = 0; s < settings.size(); ++s) {
        std::vector<int> windows = {0, 32};
        if (window64)
            windows.push_back(64);
        for (const int window : windows) {
            const QByteArray to = "run" + QByteArray::number(++label);
            const std::vector<ModifyRequest> requests = changesFrom(targets, "base", to);
            std::fprintf(stderr, "writes, %s: %s...\n", settings[s].name,
                         window ? qPrintable(u"Sunset, window %1"_s.arg(window)) : "ldapmodify");
            WriteRun run{int(s), window,
                         window ? sunsetWrite(domain, settings[s].uri, requests, window)
                                : ldapmodifyWrite(domain, settings[s].uri, requests, tmp.path())};
            if (!run.result.error.isEmpty()) {
                std::fprintf(stderr, "writes through %s failed: %s\n", settings[s].name, qPrintable(run.result.error));
                return 1;
            }
            writes.push_back(std::move(run));
            // Back to the starting values, unmeasured. It deletes the values this run wrote, so it also checks
            // that the run wrote every one of them (a value missing would be a conflict here).
            if (!applyUnmeasured(changesFrom(targets, to, "base"), "restoring the starting values failed"))
                return 1;
        }
    }
    // Leave the domain as seeded: the attribute cleared again.
    {
        std::vector<ModifyRequest> clear;
        for (size_t i = 0; i < targets.size(); ++i)
            clear.push_back(ModifyRequest{quint64(i), targets[i].dn, {{kAttribute, {valueFor("base", i)}, {}}}});
        std::fprintf(stderr, "writes: clearing %s again...\n", kAttribute);
        applyUnmeasured(clear, "clearing failed");
    }

    std::printf("WRITES: %zu single-attribute changes (%s of %zu mailboxes: delete the old value, add the new one, "
                "one modify each); connect + TLS + bind included; every run starts from the same values\n",
                targets.size(), kAttribute, targets.size());
    std::printf("%-22s %-38s %9s %11s %10s %8s\n", "setting", "client", "seconds", "client CPU", "changes/s", "ratio");
    std::vector<std::pair<double, bool>> writeRatios;
    for (size_t s = 0; s < settings.size(); ++s) {
        double baseline = 0;
        for (const WriteRun& run : writes) {
            if (run.setting != int(s))
                continue;
            const double rate = double(run.result.count) / run.result.seconds;
            if (!run.window) {
                baseline = rate;
                std::printf("%-22s %-38s %9.3f %10.2fs %10.0f %8s\n", settings[s].name, "ldapmodify -f changes.ldif",
                            run.result.seconds, run.result.cpuSeconds, rate, "1.00");
                continue;
            }
            const double ratio = rate / baseline;
            const double target = s == 0 ? 0.95 : 3.0;
            std::printf("%-22s %-38s %9.3f %10.2fs %10.0f %7.2fx", settings[s].name,
                        qPrintable(u"Sunset LdapModifyPipeline, window %1"_s.arg(run.window)), run.result.seconds,
                        run.result.cpuSeconds, rate, ratio);
            if (run.window == 32)
                std::printf("  (target >= %gx: %s)", target, verdict(ratio >= target));
            std::printf("\n");
        }
    }
    std::printf("\nclient CPU: user + system time of ldapsearch/ldapmodify, or of Sunset's thread (the proxy's "
                "thread not included).\n");
    std::printf("Machine load: 1-minute load average %.2f at start, %.2f at the end, %d cores shared by Samba, "
                "the client and the proxy. Samba serves from one process (-M single), so the figures follow "
                "whatever else the machine runs; compare ratios, not absolute times, and repeat when the load "
                "was high.\n",
                loadAtStart, loadAverage(), QThread::idealThreadCount());
    return 0;
}
