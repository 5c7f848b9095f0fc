/** The GL rules live in libs/mapping (the connection ping lists the accounts they post to); re-exported here. */
export {
  DEFAULT_GL_MAPPING_FILE as DEFAULT_GL_MAPPING,
  GlRules,
  glMappingFileSchema,
  glRuleSchema,
  isInvoicedLine,
  type GlMappingFile,
  type GlRule,
  type JournalCategory,
  type LineKey,
  type Resolved,
} from '@connector/mapping';
