// CenterZeroWindow: one pass over a tensor that copies every byte outside the central window
// of each 2-D map and writes zeros inside it (contract section 1).  The eager CPU kernel of
// centerzero.center_zero; centerzero/native/__init__.py builds and loads it.
//
// The input is viewed as [outer, n_first, middle, n_last, inner] (inner in bytes), where
// `first` and `last` are the two map axes in increasing order.  A "row" is one
// [n_last, inner] run; in the window's rows (first-axis index in [f0, f0 + kf)) the bytes of
// columns [l0, l0 + kl) are zeroed, and every other byte is copied.  Rows are split among
// TensorFlow's intra-op threads; each thread copies its rows' bytes between holes with one
// memcpy each, so a large window costs less than a copy.  A small window (at most 1/64 of
// the bytes) is copied with the rest and then zeroed: one copy's cost.
#define EIGEN_USE_THREADS

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tensorflow/core/framework/common_shape_fns.h"
#include "tensorflow/core/framework/op.h"
#include "tensorflow/core/framework/op_kernel.h"
#include "unsupported/Eigen/CXX11/Tensor"

namespace centerzero {

using ::tensorflow::OpKernel;
using ::tensorflow::OpKernelConstruction;
using ::tensorflow::OpKernelContext;
using ::tensorflow::Tensor;
using ::tensorflow::errors::InvalidArgument;

REGISTER_OP("CenterZeroWindow")
    .Input("x: T")
    .Output("y: T")
    .Attr("T: {bool, half, bfloat16, float, double, int8, int16, int32, int64, uint8, uint16, "
          "uint32, uint64, complex64, complex128}")
    // The window as one int: axis_h | axis_w << 8 | kh << 16 | kw << 39 (axes non-negative,
    // below 256; sizes below 2^23).  One attribute, and an int rather than a list: an eager
    // call converts and fingerprints each attribute, which cost about 1 us per attribute and
    // 1 us more for a list, where a copy of a batch of 1 takes some 25 us.
    .Attr("window: int")
    .SetShapeFn(::tensorflow::shape_inference::UnchangedShape);

class CenterZeroWindowOp : public OpKernel {
 public:
  explicit CenterZeroWindowOp(OpKernelConstruction* ctx) : OpKernel(ctx) {
    int64_t window = 0;
    OP_REQUIRES_OK(ctx, ctx->GetAttr("window", &window));
    OP_REQUIRES(ctx, window >= 0 && window < (int64_t{1} << 62),
                InvalidArgument("CenterZeroWindow: window must pack axis_h | axis_w << 8 | kh << 16 | kw << 39, got ",
                                window));
    axes_ = {window & 0xff, (window >> 8) & 0xff};
    size_ = {(window >> 16) & 0x7fffff, (window >> 39) & 0x7fffff};
  }

  void Compute(OpKernelContext* ctx) override {
    const Tensor& x = ctx->input(0);
    const int rank = x.dims();
    OP_REQUIRES(ctx, rank >= 2, InvalidArgument("CenterZeroWindow: the input must have rank >= 2, got ", rank));
    int axis[2];
    for (int j = 0; j < 2; ++j) {
      OP_REQUIRES(ctx, -rank <= axes_[j] && axes_[j] < rank,
                  InvalidArgument("CenterZeroWindow: axis ", axes_[j], " is out of range for rank ", rank));
      axis[j] = static_cast<int>(axes_[j] < 0 ? axes_[j] + rank : axes_[j]);
      OP_REQUIRES(ctx, 0 <= size_[j] && size_[j] <= x.dim_size(axis[j]),
                  InvalidArgument("CenterZeroWindow: the window is larger than the map: size ", size_[j],
                                  " on axis ", axis[j], " of length ", x.dim_size(axis[j])));
    }
    OP_REQUIRES(ctx, axis[0] != axis[1], InvalidArgument("CenterZeroWindow: the axes name the same axis"));

    Tensor* y = nullptr;
    OP_REQUIRES_OK(ctx, ctx->allocate_output(0, x.shape(), &y));
    const int64_t bytes = static_cast<int64_t>(x.TotalBytes());
    if (bytes == 0) return;
    const char* src = x.tensor_data().data();
    char* dst = const_cast<char*>(y->tensor_data().data());
    const auto& device = ctx->eigen_device<Eigen::ThreadPoolDevice>();
    if (size_[0] == 0 || size_[1] == 0) {
      device.memcpy(dst, src, bytes);
      return;
    }

    const int j_first = axis[0] < axis[1] ? 0 : 1;
    const int first = axis[j_first], last = axis[1 - j_first];
    const int64_t kf = size_[j_first], kl = size_[1 - j_first];
    int64_t outer = 1, middle = 1, inner = static_cast<int64_t>(::tensorflow::DataTypeSize(x.dtype()));
    for (int d = 0; d < first; ++d) outer *= x.dim_size(d);
    for (int d = first + 1; d < last; ++d) middle *= x.dim_size(d);
    for (int d = last + 1; d < rank; ++d) inner *= x.dim_size(d);
    const int64_t n_first = x.dim_size(first), n_last = x.dim_size(last);
    const int64_t f0 = (n_first - kf) / 2, l0 = (n_last - kl) / 2;  // window(): leans low
    const int64_t row = n_last * inner, head = l0 * inner, hole = kl * inner;
    const int64_t rows = outer * n_first * middle;

    auto work = [=](Eigen::Index begin, Eigen::Index end) {
      int64_t pending = static_cast<int64_t>(begin) * row;  // first byte not yet written
      int64_t m = begin % middle, i = (begin / middle) % n_first;  // row begin's indices
      for (int64_t r = begin; r < end; ++r) {
        if (f0 <= i && i < f0 + kf) {
          const int64_t at = r * row + head;
          std::memcpy(dst + pending, src + pending, at - pending);
          std::memset(dst + at, 0, hole);
          pending = at + hole;
        }
        if (++m == middle) {
          m = 0;
          if (++i == n_first) i = 0;
        }
      }
      const int64_t stop = static_cast<int64_t>(end) * row;
      std::memcpy(dst + pending, src + pending, stop - pending);
    };
    if (outer * middle * kf * hole <= bytes / 64) {  // native.SMALL_WINDOW_SHARE, native.kernel_way()
      // A small window: the plain copy (TensorFlow's own, as DeepCopy makes it), then the
      // window's few bytes zeroed on this thread; splitting rows among threads cost more there.
      device.memcpy(dst, src, bytes);
      for (int64_t p = 0; p < outer; ++p)
        for (int64_t i = f0; i < f0 + kf; ++i)
          for (int64_t m = 0; m < middle; ++m) std::memset(dst + ((p * n_first + i) * middle + m) * row + head, 0, hole);
      return;
    }
    device.parallelFor(rows, Eigen::TensorOpCost(row, row, 0), work);
  }

 private:
  std::vector<int64_t> size_, axes_;
};

REGISTER_KERNEL_BUILDER(Name("CenterZeroWindow").Device(::tensorflow::DEVICE_CPU), CenterZeroWindowOp);

}  // namespace centerzero
