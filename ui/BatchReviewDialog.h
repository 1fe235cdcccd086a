// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <QDialog>
#include <QStringList>

#include <memory>

class QAbstractItemModel;
class QLabel;
class QProgressBar;
class QPushButton;
class QTableView;

namespace sunset {

class Confirmer;

// Review, approve and apply one writeback batch: exactly what will be sent per object (the rows come from the
// model the caller sets), the counts, refusals and guard-rail warnings in words, then "Approve…" (confirmed,
// twice for a large batch), "Apply" with a progress bar and Cancel, and the result per change as it arrives.
// The dialog does no I/O: it asks through signals and is told what happened (app/gui's BatchFlow drives it). The
// approval's questions go through the Confirmer it is given (the admin's boxes; a test's or screenshot's answers).
class BatchReviewDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatchReviewDialog)

public:
    struct Summary {
        QString title;          // "New batch from 4 ticked drift items", "Undo of batch 3"
        qint64 objects = 0;
        qint64 attributes = 0;
        qint64 valuesDeleted = 0;
        qint64 valuesAdded = 0;
        QStringList refusals;   // left out, and why
        QStringList warnings;   // what the admin should know before approving
        bool needsSecondConfirmation = false;
        QString target;         // where Apply writes: "the LDIF file …", "ldaps://dc01… as …"
        QString cannotApply;    // empty, or why Apply is not possible here (and what to do)
        // The break-glass box: a direct LDAP write is Cloud Sync's break-glass path. The headline, what Cloud Sync
        // can do per domain (or could, as recorded at approval), and the reason recorded (empty before approval).
        QString breakGlassHeadline;
        QStringList cloudSync;
        QString breakGlassReason;
    };
    enum class Stage { Review, Approved, Applying, Finished };

    explicit BatchReviewDialog(std::shared_ptr<Confirmer> confirmer, QWidget* parent = nullptr);
    ~BatchReviewDialog() override;

    void setChangesModel(QAbstractItemModel* model);
    void setSummary(const Summary& summary);
    const Summary& summary() const { return m_summary; }
    // Where Apply writes changed (a scan of another directory finished): the summary's target and cannotApply.
    void setTarget(const QString& target, const QString& cannotApply);
    void setStage(Stage stage);
    Stage stage() const { return m_stage; }
    void setBatchId(qint64 id);

    void showProgress(qint64 doneObjects, qint64 totalObjects);
    void showOutcome(const QString& text, bool success);
    void showError(const QString& text);

    // Starts the approval questions (what "Approve…" does): the break-glass reason first (refused when empty or
    // too short), then the confirmation(s). Public so the keyboard path and tests share it.
    void approve();
    // Apply, shown once the batch is approved; disabled while there is nowhere to write.
    QPushButton* applyButton() const { return m_apply; }

Q_SIGNALS:
    void approveRequested(bool secondConfirmation, const QString& breakGlassReason);
    void applyRequested();
    void cancelApplyRequested();

protected:
    void reject() override; // while a batch is being applied: Cancel, and stay open

private:
    void updateButtons();
    void confirmApproval(const QString& reason); // the confirmation(s), after an accepted reason

    std::shared_ptr<Confirmer> m_confirmer;
    Summary m_summary;
    Stage m_stage = Stage::Review;
    qint64 m_batchId = 0;
    QLabel* m_title = nullptr;
    QLabel* m_counts = nullptr;
    QLabel* m_issues = nullptr;
    QLabel* m_breakGlass = nullptr;
    QLabel* m_target = nullptr;
    QTableView* m_view = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_approve = nullptr;
    QPushButton* m_apply = nullptr;
    QPushButton* m_cancel = nullptr;
    QPushButton* m_close = nullptr;
};

} // namespace sunset
