// SPDX-License-Identifier: Apache-2.0
// The layers of docs/architecture.md, enforced: no source includes a header of a layer above its own, the domain
// and the platform layer use QtCore only, and no library links a library of a layer above it. A new dependency
// that breaks the picture fails here, naming the file, the line and the rule, instead of in a later refactoring.
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLibraryInfo>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

using namespace Qt::Literals::StringLiterals;

namespace {

// Folder (relative to the source root) -> the folders its sources may include from. Known debts (issue 16) are
// named here, so removing one is a one-line change that this test then holds.
const QHash<QString, QStringList>& allowedIncludes()
{
    static const QHash<QString, QStringList> rules{
        {u"models"_s, {u"models"_s}},
        {u"platform"_s, {u"platform"_s, u"models"_s}},
        {u"ldap"_s, {u"ldap"_s, u"models"_s, u"platform"_s}},
        {u"graph"_s, {u"graph"_s, u"models"_s, u"platform"_s}},
        {u"ui"_s, {u"ui"_s, u"models"_s, u"platform"_s}},
        // The history (database, audit log, stores, exports) never talks LDAP: writeback does, above it.
        {u"app/history"_s, {u"app/history"_s, u"models"_s, u"platform"_s}},
        {u"app/writeback"_s, {u"app/writeback"_s, u"app/history"_s, u"models"_s, u"platform"_s, u"ldap"_s}},
        // The demo tenant writes AD's own binary forms (replPropertyMetaData) through the ldap layer's encoder.
        {u"app/demo"_s, {u"app/demo"_s, u"models"_s, u"ldap"_s}},
        {u"app/about"_s, {u"app/about"_s}},
        {u"app/docs"_s, {u"app/docs"_s}},
        // The services both programs use: never the CLI, the GUI wiring or widgets.
        {u"app/services"_s,
         {u"app/services"_s, u"app/history"_s, u"models"_s, u"platform"_s, u"ldap"_s, u"graph"_s}},
        // The CLI and the GUI wiring are adapters around the services; neither reaches into the other.
        {u"app/cli"_s,
         {u"app/cli"_s, u"app/services"_s, u"app/history"_s, u"app/writeback"_s, u"app/demo"_s, u"app/about"_s,
          u"models"_s, u"platform"_s, u"ldap"_s, u"graph"_s}},
        {u"app/gui"_s,
         {u"app/gui"_s, u"app/services"_s, u"app/history"_s, u"app/writeback"_s, u"app/demo"_s, u"app/about"_s,
          u"models"_s, u"platform"_s, u"ldap"_s, u"graph"_s, u"ui"_s}},
    };
    return rules;
}

// Library -> the Sunset libraries it may link directly.
const QHash<QString, QStringList>& allowedLinks()
{
    static const QHash<QString, QStringList> rules{
        {u"sunset_models"_s, {}},
        {u"sunset_platform"_s, {u"sunset_models"_s}},
        {u"sunset_ldap"_s, {u"sunset_models"_s, u"sunset_platform"_s}},
        {u"sunset_graph"_s, {u"sunset_models"_s, u"sunset_platform"_s}},
        {u"sunset_ui"_s, {u"sunset_models"_s, u"sunset_platform"_s}},
        {u"sunset_history"_s, {u"sunset_models"_s, u"sunset_platform"_s}},
        {u"sunset_history_export"_s, {u"sunset_history"_s, u"sunset_models"_s, u"sunset_platform"_s}},
        {u"sunset_writeback"_s, {u"sunset_history"_s, u"sunset_models"_s, u"sunset_platform"_s, u"sunset_ldap"_s}},
        {u"sunset_demo"_s, {u"sunset_models"_s, u"sunset_ldap"_s}},
        {u"sunset_services"_s,
         {u"sunset_models"_s, u"sunset_platform"_s, u"sunset_ldap"_s, u"sunset_graph"_s, u"sunset_history"_s,
          u"sunset_history_export"_s}},
        {u"sunset_cli_commands"_s,
         {u"sunset_models"_s, u"sunset_platform"_s, u"sunset_ldap"_s, u"sunset_graph"_s, u"sunset_demo"_s,
          u"sunset_history"_s, u"sunset_history_export"_s, u"sunset_writeback"_s, u"sunset_services"_s}},
        {u"sunset_gui_wiring"_s,
         {u"sunset_models"_s, u"sunset_platform"_s, u"sunset_ldap"_s, u"sunset_graph"_s, u"sunset_demo"_s,
          u"sunset_history"_s, u"sunset_history_export"_s, u"sunset_writeback"_s, u"sunset_services"_s,
          u"sunset_ui"_s}},
    };
    return rules;
}

// The Qt modules each folder may include headers of; absent = any.
const QHash<QString, QStringList>& allowedQtModules()
{
    static const QHash<QString, QStringList> rules{
        {u"models"_s, {u"QtCore"_s}},
        {u"platform"_s, {u"QtCore"_s}},
        {u"ldap"_s, {u"QtCore"_s}},
        {u"graph"_s, {u"QtCore"_s, u"QtNetwork"_s}},
    };
    return rules;
}

struct SourceFile {
    QString path;   // relative to the source root
    QString folder; // its layer folder, a key of allowedIncludes()
};

QString sourceRoot()
{
    return QStringLiteral(SUNSET_SOURCE_DIR);
}

std::vector<SourceFile> sources()
{
    std::vector<SourceFile> files;
    for (auto it = allowedIncludes().cbegin(); it != allowedIncludes().cend(); ++it) {
        QDirIterator dir(sourceRoot() + u'/' + it.key(), {u"*.h"_s, u"*.cpp"_s}, QDir::Files);
        while (dir.hasNext())
            files.push_back({QDir(sourceRoot()).relativeFilePath(dir.next()), it.key()});
    }
    return files;
}

// Which layer folder a quoted include names: "platform/X.h" says it; a bare "X.h" is found by its name (names
// are unique across the layers: a second one would make this ambiguous, and fails below).
class HeaderIndex final {
public:
    explicit HeaderIndex(const std::vector<SourceFile>& files)
    {
        for (const SourceFile& file : files) {
            const QString name = QFileInfo(file.path).fileName();
            if (m_folderOf.contains(name) && m_folderOf.value(name) != file.folder)
                m_duplicates << name;
            m_folderOf.insert(name, file.folder);
        }
    }
    QString folderOf(const QString& include, const QString& includer) const
    {
        const qsizetype slash = include.lastIndexOf(u'/');
        if (slash > 0) {
            const QString prefix = include.left(slash);
            if (allowedIncludes().contains(prefix))
                return prefix;
        }
        const QString name = include.mid(slash + 1);
        if (QFile::exists(sourceRoot() + u'/' + QFileInfo(includer).path() + u'/' + include))
            return {}; // beside the includer: its own layer
        return m_folderOf.value(name); // empty: generated or third-party (SunsetVersion.h, …)
    }
    const QStringList& duplicates() const { return m_duplicates; }

private:
    QHash<QString, QString> m_folderOf;
    QStringList m_duplicates;
};

// The Qt module a <QFoo> header belongs to, from the installed headers; empty when it is no Qt class header.
QString qtModuleOf(const QString& header)
{
    static QHash<QString, QString> cache;
    if (const auto hit = cache.constFind(header); hit != cache.cend())
        return *hit;
    QString module;
    if (header.startsWith(u'Q') && !header.contains(u'.')) {
        const QString root = QLibraryInfo::path(QLibraryInfo::HeadersPath);
        for (const QString& candidate : QDir(root).entryList({u"Qt*"_s}, QDir::Dirs)) {
            if (QFile::exists(root + u'/' + candidate + u'/' + header)) {
                module = candidate;
                break;
            }
        }
    }
    cache.insert(header, module);
    return module;
}

} // namespace

class TestLayering final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void sourcesFound()
    {
        // A moved source root would make every other check pass vacuously.
        QVERIFY2(sources().size() > 150, qPrintable(u"only %1 sources under %2"_s.arg(sources().size()).arg(sourceRoot())));
    }

    void headerNamesAreUnique()
    {
        const HeaderIndex index(sources());
        QVERIFY2(index.duplicates().isEmpty(), qPrintable(u"the same file name in two layers: "_s +
                                                          index.duplicates().join(u", "_s)));
    }

    void noIncludeReachesUp()
    {
        const auto files = sources();
        const HeaderIndex index(files);
        static const QRegularExpression quoted(u"^\\s*#\\s*include\\s+\"([^\"]+)\""_s);
        static const QRegularExpression angled(u"^\\s*#\\s*include\\s+<([^>]+)>"_s);
        QStringList violations;
        for (const SourceFile& file : files) {
            QFile source(sourceRoot() + u'/' + file.path);
            QVERIFY2(source.open(QIODevice::ReadOnly), qPrintable(file.path));
            const QStringList allowed = allowedIncludes().value(file.folder);
            const QStringList qtModules = allowedQtModules().value(file.folder);
            int line = 0;
            while (!source.atEnd()) {
                const QString text = QString::fromUtf8(source.readLine());
                ++line;
                if (const auto match = quoted.match(text); match.hasMatch()) {
                    const QString folder = index.folderOf(match.captured(1), file.path);
                    if (!folder.isEmpty() && !allowed.contains(folder))
                        violations << u"%1:%2 includes %3 (%4 may use only %5)"_s.arg(
                            file.path, QString::number(line), match.captured(1), file.folder, allowed.join(u", "_s));
                } else if (const auto match = angled.match(text); match.hasMatch() && !qtModules.isEmpty()) {
                    const QString module = qtModuleOf(match.captured(1));
                    if (!module.isEmpty() && !qtModules.contains(module))
                        violations << u"%1:%2 includes <%3> of %4 (%5 may use only %6)"_s.arg(
                            file.path, QString::number(line), match.captured(1), module, file.folder,
                            qtModules.join(u", "_s));
                }
            }
        }
        QVERIFY2(violations.isEmpty(), qPrintable(u"\n"_s + violations.join(u'\n')));
    }

    void noLibraryLinksUp()
    {
        QFile file(QStringLiteral(SUNSET_LIBRARY_LINKS));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        QStringList violations;
        QSet<QString> seen;
        while (!file.atEnd()) {
            const QString line = QString::fromUtf8(file.readLine()).trimmed();
            const qsizetype equals = line.indexOf(u'=');
            if (equals <= 0)
                continue;
            const QString library = line.left(equals);
            seen.insert(library);
            QVERIFY2(allowedLinks().contains(library), qPrintable(u"no rule for "_s + library));
            const QStringList allowed = allowedLinks().value(library);
            for (const QString& linked : line.mid(equals + 1).split(u';', Qt::SkipEmptyParts)) {
                if (linked.startsWith(u"sunset_"_s) && linked != u"sunset_hygiene"_s && !allowed.contains(linked))
                    violations << u"%1 links %2 (it may link only %3)"_s.arg(library, linked, allowed.join(u", "_s));
                if (library == u"sunset_models"_s && linked.startsWith(u"Qt6::"_s) && linked != u"Qt6::Core"_s)
                    violations << u"sunset_models links %1 (QtCore only)"_s.arg(linked);
            }
        }
        QCOMPARE(seen.size(), allowedLinks().size());
        QVERIFY2(violations.isEmpty(), qPrintable(u"\n"_s + violations.join(u'\n')));
    }

    // The two programs are adapters around one service library: each links it itself (not through the other).
    void adaptersLinkTheServices()
    {
        QFile file(QStringLiteral(SUNSET_LIBRARY_LINKS));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
        QHash<QString, QStringList> links;
        while (!file.atEnd()) {
            const QString line = QString::fromUtf8(file.readLine()).trimmed();
            if (const qsizetype equals = line.indexOf(u'='); equals > 0)
                links.insert(line.left(equals), line.mid(equals + 1).split(u';', Qt::SkipEmptyParts));
        }
        for (const QString& adapter : {u"sunset_cli_commands"_s, u"sunset_gui_wiring"_s})
            QVERIFY2(links.value(adapter).contains(u"sunset_services"_s),
                     qPrintable(adapter + u" does not link sunset_services: "_s + links.value(adapter).join(u", "_s)));
    }
};

QTEST_GUILESS_MAIN(TestLayering)
#include "TestLayering.moc"
