#include "matcher/pipeline.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace lw {

// Documents live in a ring of queue_depth slots, document k in slot k % depth; the
// adding thread fills a slot only once the document before in it is recorded.
class DocumentPipeline::Impl {
 public:
  Impl(Scanner& scanner, ErrorFn on_error, PipelineOptions options) : scanner_(scanner), on_error_(std::move(on_error)) {
    unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    size_t depth = options.queue_depth ? options.queue_depth : 64 * size_t{threads};
    slots_.resize(std::max<size_t>(depth, 1));
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~Impl() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  Status InTurn(const FallbackFn& fn) {
    while (recorded_ < added_)
      if (auto s = RecordNext(); !s) return s;
    return Reported(fn());
  }

  Status Add(std::string location, std::string content, LoadFn load, FallbackFn fallback, GroupFn group = nullptr) {
    if (added_ - recorded_ == slots_.size()) {
      // Full: wait until half of the ring is done, then record what is, rather than wake
      // up for every document.
      Wait(slots_[(recorded_ + slots_.size() / 2) % slots_.size()]);
      if (auto s = RecordReady(); !s) return s;
      if (added_ - recorded_ == slots_.size())  // the oldest still runs
        if (auto s = RecordNext(); !s) return s;
    }
    Slot& slot = slots_[added_ % slots_.size()];
    slot.location = std::move(location);
    slot.content = std::move(content);
    slot.load = std::move(load);
    slot.fallback = std::move(fallback);
    slot.group = std::move(group);
    slot.items.clear();
    slot.findings.reset();
    slot.error.reset();
    slot.use_fallback = false;
    ++added_;
    bool wake;
    {
      std::lock_guard lock(mu_);
      slot.done = false;
      queue_.push_back(&slot);
      // Idle workers are woken for a handful of documents at a time (and whenever this
      // thread is about to wait: Wait), not one wake-up per document.
      wake = idle_ > 0 && queue_.size() >= kWakeBatch;
    }
    if (wake) work_cv_.notify_all();
    return RecordReady();
  }

  // Records the documents that are done, in order, up to the first that is not.
  Status RecordReady() {
    for (;;) {
      if (recorded_ == added_) return Ok();
      {
        std::lock_guard lock(mu_);
        if (!slots_[recorded_ % slots_.size()].done) return Ok();
      }
      if (auto s = RecordNext(); !s) return s;
    }
  }

  Status Finish() {
    while (recorded_ < added_)
      if (auto s = RecordNext(); !s) return s;
    return scanner_.Flush();
  }

 private:
  struct Slot {
    std::string location;
    std::string content;
    LoadFn load;
    FallbackFn fallback;
    bool use_fallback = false;
    std::optional<Scanner::Findings> findings;
    std::optional<Error> error;
    // A group: what its worker found, in order.
    GroupFn group;
    struct Item {
      std::string location;
      std::optional<Scanner::Findings> findings;
      std::optional<Error> error;
      FallbackFn fallback;  // when neither: the document goes this way
    };
    std::vector<Item> items;
    bool done = false;  // GUARDED_BY(mu_)
  };

  void Work() {
    for (;;) {
      Slot* slot;
      {
        std::unique_lock lock(mu_);
        ++idle_;
        work_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        --idle_;
        if (stop_) return;
        slot = queue_.front();
        queue_.pop_front();
      }
      Analyze(*slot);
      bool wake;
      {
        std::lock_guard lock(mu_);
        slot->done = true;
        wake = waiting_ == slot;
      }
      if (wake) done_cv_.notify_one();
    }
  }

  void Analyze(Slot& slot) const {
    if (slot.group) {
      auto emit = [&](std::string location, Result<std::optional<std::string>> loaded, FallbackFn fallback) {
        Slot::Item& item = slot.items.emplace_back();
        item.location = std::move(location);
        if (!loaded) {
          item.error = loaded.error();
        } else if (!*loaded) {
          item.fallback = std::move(fallback);
        } else if (auto findings = scanner_.Analyze(**loaded); !findings) {
          item.error = Error{findings.error().code, item.location + ": " + findings.error().message};
        } else {
          item.findings = std::move(*findings);
        }
      };
      if (auto s = slot.group(emit); !s) slot.items.emplace_back().error = s.error();
      return;
    }
    if (slot.load) {
      auto loaded = slot.load();
      if (!loaded) {
        slot.error = loaded.error();
        return;
      }
      if (!*loaded) {
        slot.use_fallback = true;
        return;
      }
      slot.content = std::move(**loaded);
    }
    auto findings = scanner_.Analyze(slot.content);
    std::string().swap(slot.content);  // a slot holds no bytes once analyzed
    if (!findings) {
      slot.error = Error{findings.error().code, slot.location + ": " + findings.error().message};
      return;
    }
    slot.findings = std::move(*findings);
  }

  // Waits until `slot` is done, the workers woken for whatever is queued.
  void Wait(Slot& slot) {
    std::unique_lock lock(mu_);
    if (slot.done) return;
    if (idle_ > 0 && !queue_.empty()) work_cv_.notify_all();
    waiting_ = &slot;
    done_cv_.wait(lock, [&] { return slot.done; });
    waiting_ = nullptr;
  }

  // Waits for the oldest document and records it (or runs its fallback).
  Status RecordNext() {
    Slot& slot = slots_[recorded_ % slots_.size()];
    Wait(slot);
    ++recorded_;
    Status status = Ok();
    if (slot.group) {
      slot.group = nullptr;
      for (Slot::Item& item : slot.items) {
        if (item.error) {
          status = Fail(std::move(*item.error));
        } else if (item.findings) {
          status = scanner_.RecordFindings(item.location, std::move(*item.findings));
        } else {
          status = item.fallback();
        }
        if (auto s = Reported(std::move(status)); !s) return s;
      }
      slot.items.clear();
      return Ok();
    }
    if (slot.error) {
      status = Fail(*slot.error);
    } else if (slot.use_fallback) {
      status = slot.fallback();
    } else {
      status = scanner_.RecordFindings(slot.location, std::move(*slot.findings));
    }
    slot.load = nullptr;
    slot.fallback = nullptr;
    slot.findings.reset();
    return Reported(std::move(status));
  }

  // An I/O error concerns one document: reported, and the scan goes on.
  Status Reported(Status status) {
    if (!status && status.error().code == Error::Code::kIO) {
      on_error_(status.error());
      return Ok();
    }
    return status;
  }

  Scanner& scanner_;
  ErrorFn on_error_;
  std::vector<Slot> slots_;
  uint64_t added_ = 0, recorded_ = 0;  // sequence numbers; the adding thread's own

  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<Slot*> queue_;  // GUARDED_BY(mu_)
  Slot* waiting_ = nullptr;  // GUARDED_BY(mu_): the slot the adding thread waits for
  unsigned idle_ = 0;        // GUARDED_BY(mu_): workers waiting for work
  static constexpr size_t kWakeBatch = 32;
  bool stop_ = false;        // GUARDED_BY(mu_)
  std::vector<std::thread> threads_;
};

DocumentPipeline::DocumentPipeline(Scanner& scanner, ErrorFn on_error, PipelineOptions options)
    : impl_(std::make_unique<Impl>(scanner, std::move(on_error), options)) {}

DocumentPipeline::~DocumentPipeline() = default;

Status DocumentPipeline::Add(std::string location, std::string content) {
  return impl_->Add(std::move(location), std::move(content), nullptr, nullptr);
}

Status DocumentPipeline::AddLoaded(std::string location, LoadFn load, FallbackFn fallback) {
  return impl_->Add(std::move(location), {}, std::move(load), std::move(fallback));
}

Status DocumentPipeline::AddGroup(GroupFn produce) {
  return impl_->Add({}, {}, nullptr, nullptr, std::move(produce));
}

Status DocumentPipeline::InTurn(FallbackFn fn) { return impl_->InTurn(fn); }

Status DocumentPipeline::Finish() { return impl_->Finish(); }

}  // namespace lw
