<?php
// Payment bridge configuration (fake credentials for scanner tests).

return [
    'openai' => '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',  // arbiter-expect: SEC-OPENAI-001
    'stripe_restricted' => 'rk_live_LNVfFMrgwvZmlyKQ9ZqNM6lu',  // arbiter-expect: SEC-STRIPE-001
    'mongo' => 'mongodb+srv://bridge:Wq5tYh8Nc2@cluster0.prod.mongodb.net/payments',  // arbiter-expect: SEC-DBURL-001

    // Look-alikes that must not be flagged.
    'openai_env' => getenv('OPENAI_API_KEY'),
    'stripe_test' => 'sk_test_51HqLyjWDarjtT1zdp7dcExampleOnly',
    'mongo_template' => 'mongodb+srv://bridge:{$password}@cluster0.prod.mongodb.net/payments',
    'jwt_prefix' => 'eyJ',
];
