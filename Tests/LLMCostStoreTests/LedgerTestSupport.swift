import Foundation
import LLMCostTestSupport
import LLMCostCore
@testable import LLMCostStore

