#include <libgrid/error.hpp>

namespace libgrid {

const char* describe(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::ok: return "no error";
    case ErrorCode::invalid_argument: return "invalid argument";
    case ErrorCode::io_open: return "cannot open input";
    case ErrorCode::io_layer: return "layer not found";
    case ErrorCode::io_field: return "field not found";
    case ErrorCode::io_write: return "cannot write output";
    case ErrorCode::crs: return "coordinate reference system problem";
    case ErrorCode::geometry: return "geometry operation failed";
    case ErrorCode::invalid_input: return "inputs have errors";
    case ErrorCode::internal: return "internal error (a libgrid bug)";
    case ErrorCode::unsupported: return "not supported";
    case ErrorCode::invalid_option: return "option contradicts the inputs";
    }
    return "unknown error code";
}

Error::Error(ErrorCode code, const std::string& message) : std::runtime_error(message), m_code(code) {}

} // namespace libgrid
