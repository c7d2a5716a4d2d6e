-- Who does the work (PRODUCT.md §5): the responsible person or the secretary names a handler
-- (经办人) on an obligation, who then keeps its records. A person's id; none until named.
ALTER TABLE obligations ADD COLUMN handler_id TEXT;
CREATE INDEX obligations_handler ON obligations (handler_id);
