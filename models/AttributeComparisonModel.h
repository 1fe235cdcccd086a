// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "DriftScan.h"

#include <QAbstractTableModel>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSet>

#include <memory>
#include <optional>
#include <vector>

namespace sunset {

// The drift items an admin ticked for the next writeback batch, keyed by (matched pair, attribute) of the scan
// on screen. Owned by the main window; the batch review consumes it. Cleared when another scan is shown.
// Not named WritebackSelection: WritebackBatch.h's struct of that name is one selected item, and two classes
// with one name made the linker use this destructor for that struct (a crash in any binary linking both).
class WritebackTicks final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WritebackTicks)

public:
    struct Entry {
        qint32 pair;
        AttributeId attribute;
        friend bool operator==(const Entry&, const Entry&) = default;
    };

    explicit WritebackTicks(QObject* parent = nullptr);
    ~WritebackTicks() override;

    bool contains(qint32 pair, AttributeId attribute) const { return m_keys.contains(key(pair, attribute)); }
    void setSelected(qint32 pair, AttributeId attribute, bool selected);
    void clear();
    qsizetype size() const { return m_keys.size(); }
    std::vector<Entry> entries() const; // by pair, then catalog order

Q_SIGNALS:
    void changed();

private:
    static quint64 key(qint32 pair, AttributeId attribute) { return (quint64(quint32(pair)) << 8) | quint8(attribute); }
    QSet<quint64> m_keys;
};

// The side-by-side view of one mailbox: identity rows, then one row per catalog attribute, with the Exchange
// Online and AD values, the differences published as highlight spans (the delegate paints, never searches),
// and the likely cause of each drift. Rebuilt per selection: about 34 rows.
class AttributeComparisonModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AttributeComparisonModel)

public:
    enum Column : int { Attribute, ExchangeOnline, ActiveDirectory, LikelyCause, ColumnCount };
    enum IdentityRow : int { UpnRow, PrimarySmtpRow, SourceAnchorRow, ObjectSidRow, ObjectIdRow, MatchedByRow,
                             IdentityRowCount };
    // More values than this in one cell (a 1,600-address mailbox) are cut, keeping every differing value.
    static constexpr int kMaxValuesShown = 60;

    explicit AttributeComparisonModel(QObject* parent = nullptr);
    ~AttributeComparisonModel() override;

    void setWritebackSelection(WritebackTicks* selection);
    // scanRow indexes scan->rows(); -1 (or no scan) empties the model. newSinceLastScan: bit (1 << AttributeId)
    // per attribute whose drift is new since the last scan (MailboxTableModel::newDriftAttributes), marked "new".
    void setMailbox(std::shared_ptr<const DriftScan> scan, int scanRow, quint32 newSinceLastScan = 0);
    int scanRowIndex() const { return m_scanRow; }
    std::optional<AttributeId> attributeAt(int row) const;
    int rowOf(AttributeId attribute) const { return IdentityRowCount + int(attribute); }
    // "Display name — matched by Source anchor"
    QString title() const;
    // Tab-separated, every value (none cut), for the clipboard.
    QString toPlainText() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // One value as shown: how it reads, and whether the other side lacks it.
    struct ShownValue {
        QString text;
        bool onlyHere = false;
        bool primary = false;
    };
    struct Cell {
        QString text;
        QList<HighlightSpan> spans;
        QStringList values; // full, for the clipboard
    };
    static Cell buildCell(std::vector<ShownValue> values, bool sortValues, bool markMissing, int maxShown);

private:
    struct Line {
        QString label;
        QString tooltip;
        Cell cloud;
        Cell ad;
        QString cause;
        int severity = -1;
        bool checkable = false;
        std::optional<AttributeId> attribute;
    };
    bool isNewSinceLastScan(const Line& line) const
    {
        return line.attribute && (m_newSinceLastScan & (1u << unsigned(*line.attribute)));
    }
    void build();
    Line identityLine(IdentityRow which) const;
    Line attributeLine(const AttributeSpec& spec) const;
    void onSelectionChanged();

    std::shared_ptr<const DriftScan> m_scan;
    int m_scanRow = -1;
    quint32 m_newSinceLastScan = 0;
    std::vector<Line> m_lines;
    QPointer<WritebackTicks> m_selection;
};

} // namespace sunset
