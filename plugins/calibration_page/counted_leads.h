// counted_leads.h: which exported leads the page counts. THE one place that decides it.
//
// Every number the page shows about HADES-exported leads (funnel, batches, time lag, a batch's
// leads) is read through counted_batches_condition(), so a rule about which leads count changes
// here and nowhere else.
//
// Today every batch counts. Once hades_batch_ids records each batch's state ('allocated' |
// 'published' | 'abandoned'), only published batches' rows are to count: return
//   `<column> IN (SELECT batch_id FROM hades_batch_ids WHERE state = 'published')`
// (the test counted_leads_are_decided_in_one_place then needs its expected rows updated).

#ifndef HADES_PLUGINS_CALIBRATION_PAGE_COUNTED_LEADS_H_
#define HADES_PLUGINS_CALIBRATION_PAGE_COUNTED_LEADS_H_

#include <string>
#include <string_view>

namespace hades::calibration_page {

// A SQL boolean expression, true for the batches whose leads count. `batch_id_column` names
// the batch id column of the row being filtered ("s.batch_id", "lo.batch_id"). Contains no
// placeholders: callers append it to their WHERE clause with AND.
inline std::string counted_batches_condition(std::string_view batch_id_column) {
  static_cast<void>(batch_id_column);  // used once the batch state rule is in (see above)
  return "1 = 1";
}

}  // namespace hades::calibration_page

#endif  // HADES_PLUGINS_CALIBRATION_PAGE_COUNTED_LEADS_H_
