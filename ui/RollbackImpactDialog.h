// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftScan.h"

#include <QDialog>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

class QComboBox;
class QLabel;
class QPushButton;
class QTableView;

namespace sunset {

class RollbackImpactModel;

// Before IsExchangeCloudManaged is set back to False: the cloud values the next sync cycle would overwrite with
// AD's, per mailbox and attribute, for every cloud-managed mailbox, those shown in the list, or the selected one;
// exportable as CSV or JSON (the same reports as 'sunset-cli rollback-impact'). The dialog does no I/O: the bytes
// of an export go to the writer the caller sets (app/gui writes them owner-only).
class RollbackImpactDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RollbackImpactDialog)

public:
    enum class Scope { All, Shown, Selected };
    enum class Format { Csv, Json };
    // Writes bytes to path; nullopt when written, else what went wrong (naming the path).
    using Writer = std::function<std::optional<QString>(const QString& path, const QByteArray& bytes)>;

    // shownRows: the rows the mailbox list shows now (its filter); selectedRow: the current mailbox, -1 none.
    RollbackImpactDialog(std::shared_ptr<const DriftScan> scan, std::vector<qint32> shownRows, qint32 selectedRow,
                         QWidget* parent = nullptr);
    ~RollbackImpactDialog() override;

    void setWriter(Writer writer) { m_writer = std::move(writer); }
    void setScope(Scope scope);
    Scope scope() const;
    const RollbackImpactModel* model() const { return m_model; }
    QString summaryText() const;
    // What the Export buttons do after asking for a file name; public for the keyboard path and the tests.
    bool exportTo(const QString& path, Format format);

private:
    void recompute();
    void askAndExport(Format format);

    std::shared_ptr<const DriftScan> m_scan;
    std::vector<qint32> m_shownRows;
    qint32 m_selectedRow = -1;
    Writer m_writer;
    RollbackImpactModel* m_model = nullptr;
    QComboBox* m_scope = nullptr;
    QLabel* m_summary = nullptr;
    QLabel* m_result = nullptr;
    QTableView* m_table = nullptr;
    QPushButton* m_exportCsv = nullptr;
    QPushButton* m_exportJson = nullptr;
};

} // namespace sunset
