// The umbrella: `import LLMCost` brings the whole public API.
@_exported import LLMCostAgentLogs
@_exported import LLMCostConfig
@_exported import LLMCostCore
@_exported import LLMCostMetering
@_exported import LLMCostPresentation
@_exported import LLMCostPricing
@_exported import LLMCostProviders
@_exported import LLMCostStore
@_exported import LLMCostTokenizer
